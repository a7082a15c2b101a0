// Type-checks every dashboard in ../grafana against Grafana's published schema, @grafana/schema
// (the classic dashboard JSON model, schemaVersion 39+): the dashboard as a whole against
// `Dashboard`, and each panel's options and custom field config against the composable types of
// its panel plugin (timeseries, table, stat, bargauge, heatmap).
//
// A JSON file is embedded as an object literal in a generated .ts file and checked with
// `satisfies`, so excess (misspelt) properties are errors too. The schema types string enums
// (e.g. LegendDisplayMode); in JSON they are plain strings, so `Json<T>` maps every enum to the
// union of its values (`${E}`) and leaves everything else as the schema says.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// ctest's "skipped" (SKIP_RETURN_CODE): the packages are installed by scripts/setup.sh.
if (!fs.existsSync(path.join(here, 'node_modules/@grafana/schema/package.json'))) {
  console.error('@grafana/schema is not installed: run scripts/setup.sh (npm ci in dashboards/schema-check)');
  process.exit(77);
}
const boardsDir = path.resolve(here, process.argv[2] ?? '../grafana');
const gen = path.join(here, 'gen');
fs.rmSync(gen, { recursive: true, force: true });
fs.mkdirSync(gen);

const cfg = (name, file) =>
  `@grafana/schema/dist/esm/raw/composable/${name}/panelcfg/x/${file}_types.gen`;
const panelTypes = {
  timeseries: cfg('timeseries', 'TimeSeriesPanelCfg'),
  table: cfg('table', 'TablePanelCfg'),
  stat: cfg('stat', 'StatPanelCfg'),
  bargauge: cfg('bargauge', 'BarGaugePanelCfg'),
  heatmap: cfg('heatmap', 'HeatmapPanelCfg'),
};

// What a Prometheus query holds. Grafana's prometheus plugin defines it (its dataquery.gen.ts);
// @grafana/schema only has the base DataQuery every datasource extends.
const header = `import type { Dashboard, Panel, RowPanel, AnnotationQuery, DataQuery } from '@grafana/schema';
${Object.entries(panelTypes)
  .map(([t, m]) => `import type * as ${t} from '${m}';`)
  .join('\n')}
// JSON's view of a schema type: enums become the union of their values.
type Json<T> = T extends string
  ? \`\${T}\`
  : T extends number
    ? number
    : T extends Array<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;
interface PromQuery extends DataQuery {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  exemplar?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  interval?: string;
  intervalFactor?: number;
  editorMode?: 'code' | 'builder';
}
// The dashboard, with every panel's and annotation's queries held to PromQuery.
type Board = Omit<Dashboard, 'panels' | 'annotations'> & {
  panels?: Array<(Omit<Panel, 'targets'> & { targets?: PromQuery[] }) | RowPanel>;
  annotations?: { list?: Array<Omit<AnnotationQuery, 'target'> & { target?: PromQuery }> };
};
`;

const files = [];
let problems = 0;
for (const file of fs.readdirSync(boardsDir).filter((f) => f.endsWith('.json')).sort()) {
  const board = JSON.parse(fs.readFileSync(path.join(boardsDir, file), 'utf8'));
  let ts = header + `\nexport const board = ${JSON.stringify(board, null, 2)} satisfies Json<Board>;\n`;
  const panels = (board.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  for (const p of panels) {
    if (p.type === 'row') continue;
    if (!panelTypes[p.type]) {
      console.error(`${file}: panel ${p.id} "${p.title}": type ${p.type} has no schema here; add it to check.mjs`);
      problems++;
      continue;
    }
    ts += `export const options_${p.id} = ${JSON.stringify(p.options ?? {})} satisfies Json<Partial<${p.type}.Options>>;\n`;
    const custom = p.fieldConfig?.defaults?.custom;
    if (custom !== undefined)
      ts += `export const custom_${p.id} = ${JSON.stringify(custom)} satisfies Json<Partial<${p.type}.FieldConfig>>;\n`;
  }
  const out = path.join(gen, file.replace(/\.json$/, '.ts'));
  fs.writeFileSync(out, ts);
  files.push(out);
}
if (files.length === 0) {
  console.error(`no dashboards in ${boardsDir}`);
  process.exit(2);
}
try {
  execFileSync(
    process.execPath,
    [
      path.join(here, 'node_modules/typescript/bin/tsc'),
      '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--skipLibCheck', ...files,
    ],
    { stdio: 'inherit', cwd: here },
  );
} catch {
  process.exit(1);
}
if (problems) process.exit(1);
console.log(`${files.length} dashboards type-check against @grafana/schema`);
