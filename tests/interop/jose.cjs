// Loads npm `jose` from the project-local folder that scripts/setup-node-tools
// fills (.tools/node), and fails loudly when it is missing.
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');

const root = path.resolve(__dirname, '..', '..');
const local = createRequire(path.join(root, '.tools', 'node', 'package.json'));
try {
  module.exports = local('jose');
} catch (err) {
  console.error('npm jose is not installed in .tools/node: run scripts/setup-node-tools');
  process.exit(3);
}
