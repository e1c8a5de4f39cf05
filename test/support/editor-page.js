'use strict';
// The Node-RED editor in one browser page, with the gestures the tests make: palette, canvas, edit dialogs,
// deploy, sidebars. Selectors are Node-RED's own element ids and classes, the same in 4.1 and 5.0. Tests drive the
// UI as a user does; RED.* in the page is read to check state, and used only where the UI has no stable handle.

/** How long one UI step may take on a loaded two-core machine. */
const STEP_TIMEOUT_MS = 20_000;

/** One editor page in its own browser context. */
class EditorPage {
  constructor(context, page) {
    this.context = context;
    this.page = page;
    /** Errors thrown by page scripts: a test can assert there were none. */
    this.pageErrors = [];
    page.on('pageerror', (error) => this.pageErrors.push(error));
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
  }

  /**
   * Opens the editor at `url` in a new context with the browser language `locale`, once the palette is ready.
   * `theme: 'dark'` picks Node-RED 5's dark theme as its View settings do (a browser-local setting; 4.1 has none).
   */
  static async open(browser, url, { locale = 'en-US', viewport = { width: 1280, height: 800 }, theme } = {}) {
    const context = await browser.newContext({ locale, viewport });
    if (theme !== undefined) await context.addInitScript((value) => localStorage.setItem('view-dark-theme', value), theme);
    const editor = new EditorPage(context, await context.newPage());
    await editor.page.goto(url);
    await editor.page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.version && RED.nodes.version() !== null);
    await editor.paletteNode('bitrix24-bizproc-log').waitFor({ state: 'attached' });
    return editor;
  }

  /** The palette entry of a node type. */
  paletteNode(type) {
    return this.page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  }

  /** A palette category by its key (the `category` of the node definitions). */
  paletteCategory(category) {
    return this.page.locator(`#red-ui-palette-container-${category}`);
  }

  /**
   * The label a config node shows in the configuration nodes sidebar, once it is listed there. Node-RED keeps the
   * node id only in the entry's jQuery data (4.1.8 also put it in a class, later releases do not).
   */
  async configNodeLabel(id) {
    const label = await this.page.waitForFunction((nodeId) => {
      const entry = $('.red-ui-sidebar-node-config-list li').filter((_, li) => $(li).data('data-node-id') === nodeId);
      return entry.is(':visible') && entry.find('.red-ui-palette-label').text();
    }, id);
    return (await label.jsonValue()).trim();
  }

  /**
   * The description Node-RED shows when the pointer rests on a palette category's header (`categoryDescription` of
   * its nodes, 4.1.11 and later), as the popover shows it.
   */
  async categoryDescription(category) {
    await this.paletteCategory(category).locator('.red-ui-palette-header').hover();
    const popover = this.page.locator('.red-ui-popover:visible .red-ui-popover-content');
    await popover.waitFor();
    const text = (await popover.innerText()).trim();
    await this.page.mouse.move(1, 1);
    await popover.waitFor({ state: 'hidden' });
    return text;
  }

  /** The node with `id` on the canvas (its SVG group). */
  canvasNode(id) {
    return this.page.locator(`g.red-ui-flow-node-group[id="${id}"]`);
  }

  /** Drags a node type from the palette onto the canvas and resolves with the new node's id. */
  async addFromPalette(type, position = { x: 300, y: 200 }) {
    const before = await this.nodeIds();
    const source = this.paletteNode(type);
    await source.scrollIntoViewIfNeeded();
    await source.dragTo(this.page.locator('#red-ui-workspace-chart'), { targetPosition: position });
    const after = await this.nodeIds();
    const added = after.filter((id) => !before.includes(id));
    if (added.length !== 1) throw new Error(`expected one new node after the drop, found ${added.length}`);
    return added[0];
  }

  /** Ids of every node on every flow, in the editor's model. */
  nodeIds() {
    return this.page.evaluate(() => {
      const ids = [];
      RED.nodes.eachNode((node) => ids.push(node.id));
      return ids;
    });
  }

  /** A node of the editor's model (plain properties only, credentials included as the editor holds them). */
  node(id) {
    return this.page.evaluate((nodeId) => {
      const node = RED.nodes.node(nodeId);
      if (!node) return null;
      const plain = { valid: node.valid, validationErrors: node.validationErrors, credentials: node.credentials };
      for (const key of Object.keys(node._def.defaults || {})) plain[key] = node[key];
      return plain;
    }, id);
  }

  /** Shows the flow tab holding node `id`, so it is on the canvas. */
  async showFlowOf(id) {
    await this.page.evaluate((nodeId) => RED.workspaces.show(RED.nodes.node(nodeId).z), id);
  }

  /**
   * Waits until the topmost edit tray has finished opening: its buttons show while it still slides in, and Node-RED
   * focuses the dialog's first field only at the end (tray.js, options.show), which is when a user would go on.
   */
  async trayOpened() {
    await this.page.waitForFunction(() => {
      const tray = $('.red-ui-tray').last();
      return tray.length === 1 && tray.has(document.activeElement).length === 1 && !tray.is(':animated');
    });
  }

  /** Opens a flow node's edit dialog by double-clicking it on the canvas. */
  async editNode(id) {
    await this.showFlowOf(id);
    await this.canvasNode(id).locator('.red-ui-flow-node').dblclick();
    await this.page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
    await this.trayOpened();
  }

  /**
   * Opens a config node's dialog with the pencil button beside a node dialog's config selector (e.g. 'portal'). On a
   * loaded machine a click can go unanswered (seen with Node-RED 4.1.15, never alone); the pencil is clicked again
   * then, as a user would: Node-RED ignores a request for a config dialog that is open or being built.
   */
  async editConfigOf(property) {
    const pencil = this.page.locator(`#node-input-btn-${property}-edit`);
    const ok = this.page.locator('#node-config-dialog-ok');
    await pencil.click();
    const shown = await ok.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
    if (!shown) {
      await pencil.click();
      await ok.waitFor({ state: 'visible' });
    }
    await this.trayOpened();
  }

  /** Types `value` into a field, replacing its content, and leaves it with Tab, as a user does (input, change). */
  async enter(selector, value) {
    const field = this.page.locator(selector);
    await field.fill(value);
    await field.press('Tab');
  }

  /** A TypedInput's current type and value, as the dialog shows them (`inputId` is the original input's id). */
  typedInput(inputId) {
    return this.page.evaluate((id) => ({ type: $(`#${id}`).typedInput('type'), value: $(`#${id}`).typedInput('value') }), inputId);
  }

  /** Sets a TypedInput through its own controls: picks `type` from its type menu, then types `value`. */
  async setTypedInput(inputId, type, value) {
    // Node-RED hides the original input and puts its own controls in the container right after it.
    const container = this.page.locator(`#${inputId} + .red-ui-typedInput-container`);
    const typeNow = () => this.page.evaluate((id) => $(`#${id}`).typedInput('type'), inputId);
    // A click on a menu still opening (or on the last one, still closing) can be lost on a loaded machine: the type
    // is read back, and chosen again until it took.
    for (let attempt = 0; (await typeNow()) !== type; attempt += 1) {
      if (attempt === 3) throw new Error(`setTypedInput: ${inputId} did not take the type ${type}`);
      await container.locator('button.red-ui-typedInput-type-select').click();
      await this.page.locator(`.red-ui-typedInput-options:visible a[value="${type}"]`).click();
    }
    await container.locator('input.red-ui-typedInput-input').fill(value);
  }

  /** Confirms the topmost dialog (config dialog first, else node dialog) and waits for it to close. */
  async confirmDialog() {
    const config = this.page.locator('#node-config-dialog-ok');
    const target = (await config.isVisible()) ? config : this.page.locator('#node-dialog-ok');
    await target.click();
    await target.waitFor({ state: 'detached' });
  }

  /** Cancels the topmost dialog and waits for it to close. */
  async cancelDialog() {
    const config = this.page.locator('#node-config-dialog-cancel');
    const target = (await config.isVisible()) ? config : this.page.locator('#node-dialog-cancel');
    await target.click();
    await target.waitFor({ state: 'detached' });
  }

  /**
   * Clicks Deploy, waits until the editor has no undeployed changes, and resolves with the new flows revision (the
   * runtime may still be starting the flows: see NodeRedRuntime#flowsStarted).
   */
  async deploy() {
    await this.page.locator('#red-ui-header-button-deploy').click();
    await this.page.waitForFunction(() => !RED.nodes.dirty());
    return this.page.evaluate(() => RED.nodes.version());
  }

  /** Imports flow JSON as the Import dialog would (into the active tab), without deploying it. */
  async importFlow(flow) {
    await this.page.evaluate((nodes) => RED.view.importNodes(nodes, { generateIds: false }), flow);
  }

  /** Opens a sidebar tab by its id ('help', 'info', 'config', ...). */
  async showSidebar(tab) {
    await this.page.evaluate((id) => RED.sidebar.show(id), tab);
  }

  /**
   * Shows a node type's help in the help sidebar, as the editor's own help buttons do (the palette tooltip's book,
   * the edit dialog's help), and resolves with the sidebar's help panel.
   */
  async showHelp(type) {
    await this.page.evaluate((t) => RED.sidebar.help.show(t), type);
    const help = this.page.locator('.red-ui-sidebar-help-stack .red-ui-help').first();
    await help.waitFor({ state: 'visible' });
    return help;
  }

  /** Closes the page and its browser context. */
  async close() {
    await this.context.close();
  }
}

module.exports = { EditorPage };
