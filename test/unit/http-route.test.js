'use strict';
const assert = require('node:assert/strict');
// Express as Node-RED itself uses it.
const express = require(require.resolve('express', { paths: [require.resolve('node-red')] }));
const { addPostRoute, normaliseRoutePath } = require('../../dist/nodes/http-route');

describe('addPostRoute', () => {
  const routesOn = (app, path) => app._router.stack.filter((layer) => layer.route && layer.route.path === path);

  it('removes its own route only, even when another handler shares the path', () => {
    const RED = { httpNode: express() };
    const first = () => {};
    const second = () => {};
    const removeFirst = addPostRoute(RED, '/hook', first);
    const removeSecond = addPostRoute(RED, '/hook', second);
    assert.equal(routesOn(RED.httpNode, '/hook').length, 2);
    removeFirst();
    const left = routesOn(RED.httpNode, '/hook');
    assert.equal(left.length, 1);
    assert.equal(left[0].route.stack[0].handle, second);
    removeFirst();
    assert.equal(routesOn(RED.httpNode, '/hook').length, 1, 'removing twice is harmless');
    removeSecond();
    assert.equal(routesOn(RED.httpNode, '/hook').length, 0);
  });

  it('normalises the path to start with "/"', () => {
    assert.equal(normaliseRoutePath(' bitrix24/activity '), '/bitrix24/activity');
    assert.equal(normaliseRoutePath('/x'), '/x');
  });
});
