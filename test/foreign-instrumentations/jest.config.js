'use strict';
module.exports = { ...require('../../jest.preset'), displayName: 'foreign-instrumentations' };
