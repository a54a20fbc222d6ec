'use strict';
module.exports = { ...require('../../jest.preset'), displayName: 'stack' };
