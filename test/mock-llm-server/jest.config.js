'use strict';
module.exports = { ...require('../../jest.preset'), displayName: 'mock-llm-server', setupFiles: ['<rootDir>/test/setup.ts'] };
