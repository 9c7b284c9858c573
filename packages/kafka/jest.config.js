module.exports = require('../../jest.preset.js').preset({ retryOnce: true });
