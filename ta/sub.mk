global-incdirs-y += include
srcs-y += bench_ta.c
