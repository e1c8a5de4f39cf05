/* Editor code shared by the package's node dialogs. Node-RED serves this folder at resources/<module>/ and loads the
 * file before the node definitions that refer to it; each .html asks for it, so it defines itself once. */
(function () {
  'use strict';
  if (window.Bitrix24Editor) return;

  // Node-RED serves this file at resources/<package name>/bitrix24-editor.js; the name may hold a scope (@a/b).
  var MODULE = (/resources\/((?:@[^/]+\/)?[^/]+)\/bitrix24-editor\.js/.exec((document.currentScript || {}).src || '') || [])[1] || '@bitrix24-bizproc/node-red';

  /** The TypedInput types for a value read per message (a token, a text). */
  var VALUE_TYPES = ['msg', 'flow', 'global', 'str', 'env', 'jsonata'];
  /** The TypedInput types for an object read per message (return values, parameters). */
  var OBJECT_TYPES = ['msg', 'flow', 'global', 'json', 'jsonata'];
  /** The TypedInput types for the auth block of a message. */
  var AUTH_TYPES = ['msg', 'flow', 'global', 'jsonata'];

  /**
   * Turns the dialog's inputs into TypedInputs: each row names its property (input #node-input-<name>, its type in
   * #node-input-<name>Type), its types and its default type.
   */
  function typedInputs(rows) {
    rows.forEach(function (row) {
      $('#node-input-' + row.name).typedInput({
        default: row.defaultType || 'msg',
        types: row.types || VALUE_TYPES,
        typeField: '#node-input-' + row.name + 'Type'
      });
    });
  }

  /** A label function (paletteLabel, inputLabels, ...) that shows the catalogue's text `key`. */
  function text(key) {
    return function () {
      return this._(key);
    };
  }

  /** A node's label: its name, or else what `fallback` (a function of the node) says. */
  function nameOr(fallback) {
    return function () {
      return this.name || fallback.call(this);
    };
  }

  /** Output labels from the catalogue: `<prefix><index>`. */
  function outputLabels(prefix) {
    return function (index) {
      return this._(prefix + index);
    };
  }

  /** Named nodes show their label in italics, as Node-RED's core nodes do. */
  function labelStyle() {
    return this.name ? 'node_label_italic' : '';
  }

  /** The config node a portal selector points at, or null. */
  function portalOf(id) {
    return id ? RED.nodes.node(id) : null;
  }

  /**
   * The message-auth row (class bitrix24-message-auth-row): filled with msg.auth for nodes saved before it existed,
   * shown only while the selected portal takes its auth from each message, the only kind that reads it.
   */
  function messageAuthRow(node) {
    if (!node.messageAuth) {
      $('#node-input-messageAuth').val('auth');
      $('#node-input-messageAuthType').val('msg');
    }
    typedInputs([{ name: 'messageAuth', types: AUTH_TYPES }]);
    $('#node-input-portal').on('change', function () {
      var portal = portalOf($(this).val());
      $('.bitrix24-message-auth-row').toggle(!!portal && portal.authType === 'message');
    }).trigger('change');
  }

  // Mirrors validateMethodName in src/bitrix24/method-call.ts: dotted words of letters, digits and _.
  var METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

  /** A validator for a method name TypedInput: a fixed name must be one; other types are checked as TypedInputs. */
  function methodName(typeField) {
    var check = RED.validators.typedInput(typeField);
    return function (value, opt) {
      var type = $('#node-input-' + typeField).length ? $('#node-input-' + typeField).val() : this[typeField];
      if ((type || 'str') !== 'str') return check.call(this, value, opt);
      return (typeof value === 'string' && value.length <= 128 && METHOD_NAME.test(value.trim())) || this._('bitrix24-call.validation.method');
    };
  }

  /** A validator for an optional TypedInput: empty is fine, anything else must be valid for its type. */
  function optionalTypedInput(typeField) {
    var check = RED.validators.typedInput(typeField);
    return function (value, opt) {
      return value === undefined || value === '' || check.call(this, value, opt);
    };
  }

  /**
   * The shared catalogue of the package (errors, reasons), reachable from any node's dialog. Its namespace is the
   * package's name, which is in this very script's address (resources/<package name>/...): one name, in package.json.
   */
  var SHARED_CATALOGUE = MODULE + '/bitrix24-portal:bitrix24.';

  /** A text of the shared catalogue, or undefined when the browser's catalogue has none for `key`. */
  function sharedText(key, params) {
    var value = RED._(SHARED_CATALOGUE + key, params);
    return typeof value === 'string' && value.indexOf(key) < 0 ? value : undefined;
  }

  /**
   * The words for a failure an admin endpoint reported (`{code, reason?, description?, statusCode?, message}`): the
   * browser's own catalogue first (the editor's language), the runtime's message as the fallback.
   */
  function failureText(answer) {
    var params = { description: answer.description || '', statusCode: answer.statusCode || '', source: '', code: answer.code };
    return (answer.reason && sharedText('reasons.' + answer.code + '.' + answer.reason, params)) ||
      sharedText('errors.' + answer.code, params) || answer.message || String(answer.code);
  }

  /** POSTs `body` as JSON to an admin endpoint (relative to the editor): the admin routes take JSON only. */
  function postJson(url, body) {
    return $.ajax({ url: url, type: 'POST', contentType: 'application/json', dataType: 'json', data: JSON.stringify(body) });
  }

  /** Asks before acting, in a modal notification as Node-RED does; `onConfirm` runs only on the confirming button. */
  function confirmAction(message, buttons, onConfirm) {
    var notification = RED.notify(message, {
      modal: true,
      fixed: true,
      type: 'warning',
      buttons: [
        { text: buttons.cancel, click: function () { notification.close(); } },
        { text: buttons.confirm, class: 'primary', click: function () { notification.close(); onConfirm(); } }
      ]
    });
  }

  window.Bitrix24Editor = {
    confirmAction: confirmAction,
    failureText: failureText,
    postJson: postJson,
    VALUE_TYPES: VALUE_TYPES,
    OBJECT_TYPES: OBJECT_TYPES,
    AUTH_TYPES: AUTH_TYPES,
    text: text,
    nameOr: nameOr,
    outputLabels: outputLabels,
    labelStyle: labelStyle,
    typedInputs: typedInputs,
    portalOf: portalOf,
    messageAuthRow: messageAuthRow,
    optionalTypedInput: optionalTypedInput,
    methodName: methodName
  };
})();
