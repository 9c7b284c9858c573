module.exports = { ...require('../jest.preset.js').preset(), testTimeout: 600_000 };
