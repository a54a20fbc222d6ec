'use strict';
module.exports = { ...require('../../jest.preset'), displayName: 'instrumentation-google-genai' };
