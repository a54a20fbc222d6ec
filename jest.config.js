// One jest run over every workspace that has a jest.config.js, so CI gets one summary.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const parents = ['packages', 'test'];
const projects = ['collector-service', 'dashboards'];
for (const parent of parents) {
  if (!fs.existsSync(path.join(__dirname, parent))) continue;
  for (const entry of fs.readdirSync(path.join(__dirname, parent))) projects.push(path.join(parent, entry));
}
module.exports = {
  // A global option: projects do not inherit it from their own configs (see jest.preset.js).
  testTimeout: require('./jest.preset').testTimeout,
  projects: projects.filter((dir) => fs.existsSync(path.join(__dirname, dir, 'jest.config.js'))).map((dir) => `<rootDir>/${dir}`),
};
