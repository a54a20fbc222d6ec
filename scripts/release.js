// Publishes every public package of the repository, at the one version lerna.json holds, to the
// registry given. `./run release --registry <url>` builds first and then runs this.
//
//   node scripts/release.js --registry <url> [--dry-run]
//
// Each package is published with `npm publish`, so the credentials are the ones npm reads for that
// registry from the user's npmrc (`//host/:_authToken=...`), and nothing else. Packages go out in
// dependency order (lerna's topological sort), so a package is never there before what it needs.
// A version the registry already has is skipped: a release interrupted half-way is finished by
// running it again. Private workspaces (the test helpers, the dashboards) are never published.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = join(__dirname, '..');
const USAGE = 'Usage: ./run release --registry <url> [--dry-run]';

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(2);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({ options: { registry: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    fail(`${err.message}\n${USAGE}`);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const registry = parsed.values.registry;
  if (!registry) fail(`--registry is required: the npm registry to publish to, e.g. https://registry.npmjs.org/\n${USAGE}`);
  let url;
  try {
    url = new URL(registry);
  } catch {
    fail(`--registry must be a URL, got "${registry}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`--registry must be an http or https URL, got "${registry}"`);
  return { registry: url.href, dryRun: parsed.values['dry-run'] === true };
}

/** The public workspaces, dependencies first. */
function publicPackages() {
  const out = execFileSync('npx', ['lerna', 'list', '--toposort', '--json', '--loglevel', 'silent'], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out).filter((p) => !p.private);
}

/** npm for `registry` alone: the scope setting too, so a `@tokenledger:registry` line elsewhere cannot redirect it. */
function npm(args, registry, stdio) {
  return spawnSync('npm', [...args, '--registry', registry, `--@tokenledger:registry=${registry}`], { cwd: ROOT, encoding: 'utf8', stdio });
}

function published(name, version, registry) {
  const view = npm(['view', `${name}@${version}`, 'version', '--json'], registry, 'pipe');
  return view.status === 0 && view.stdout.trim() !== '';
}

function main() {
  const { registry, dryRun } = options();
  const version = JSON.parse(readFileSync(join(ROOT, 'lerna.json'), 'utf8')).version;
  const packages = publicPackages();
  const astray = packages.filter((p) => p.version !== version);
  if (astray.length)
    fail(`lerna.json says ${version}, but ${astray.map((p) => `${p.name} is ${p.version}`).join(', ')}: set one version with \`./run npx lerna version\``);

  console.log(`release: ${packages.length} packages at ${version} to ${registry}${dryRun ? ' (dry run)' : ''}`);
  for (const pkg of packages) {
    if (!dryRun && published(pkg.name, version, registry)) {
      console.log(`  ${pkg.name}@${version}: already published, skipped`);
      continue;
    }
    const run = npm(['publish', pkg.location, ...(dryRun ? ['--dry-run'] : [])], registry, ['ignore', 'pipe', 'pipe']);
    if (run.status !== 0) {
      process.stderr.write(run.stderr);
      fail(
        `publishing ${pkg.name}@${version} failed (npm exit ${run.status}). Is a token for ${registry} in your npmrc? \`npm login --registry ${registry}\` writes one. Run the release again to publish the rest.`,
      );
    }
    console.log(`  ${pkg.name}@${version}: published`);
  }
}

main();
