// Writes the generated dashboards to dashboards/grafana/json. Run: npm run generate -w dashboards
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, renderDashboard } from './dashboards';

const outDir = join(__dirname, '..', 'grafana', 'json');
for (const [file, build] of Object.entries(DASHBOARDS)) {
  writeFileSync(join(outDir, file), renderDashboard(build));
  console.log(`wrote ${join(outDir, file)}`);
}
