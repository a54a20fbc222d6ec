'use strict';
module.exports = { ...require('../../jest.preset'), displayName: 'pricing' };
