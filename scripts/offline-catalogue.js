'use strict';
// Preloaded into node-red-dev (`node -r`): answers its one request for the Node-RED flows catalogue
// (https://catalogue.nodered.org/catalogue.json, read by checks N01 "unique node names" and P08 "similar package
// names") with an empty catalogue, because that site is unreachable from these machines. Every other request,
// the npm registry look-ups included, goes out unchanged.
//
// node-red-dev fetches the catalogue with its own copy of axios (0.21); a request interceptor on that copy swaps in a
// local adapter for that single URL only.
const path = require('node:path');

/** The catalogue URL node-red-dev reads (src/libs/checknodes.js and checkpackage.js). */
const CATALOGUE_URL = 'https://catalogue.nodered.org/catalogue.json';

/** Makes node-red-dev's axios answer the catalogue request locally with `{ modules: [] }`; returns that axios. */
function interceptCatalogue() {
  const libs = path.dirname(require.resolve('node-red-dev/src/libs/checknodes.js'));
  const axios = require(require.resolve('axios', { paths: [libs] }));
  axios.interceptors.request.use((config) => {
    if (config.url !== CATALOGUE_URL) return config;
    return {
      ...config,
      adapter: async () => ({ data: { modules: [] }, status: 200, statusText: 'OK', headers: {}, config, request: {} }),
    };
  });
  return axios;
}

interceptCatalogue();

module.exports = { CATALOGUE_URL, interceptCatalogue };
