/* The editor of an activity's or robot's definition, for the receiver's dialog: a name plain or by language, the
 * PROPERTIES / RETURN_PROPERTIES table, and the Register / Remove buttons. The saved values are Bitrix24's own objects
 * (`{"item": {"Name": "Item", "Type": "string", ...}}`); the table keeps each property's original object and changes
 * only the members whose cells were edited, so saved JSON -> table -> saved JSON is exact. Every text comes from the
 * `labels` the dialog passes (its catalogue keys live in the .html, where the locale test finds them). */
(function () {
  'use strict';
  if (window.Bitrix24Definition) return;

  /** The property types Bitrix24 documents (mirrors PROPERTY_TYPES in src/bitrix24/bizproc/activity-definition.ts). */
  var PROPERTY_TYPES = ['string', 'text', 'int', 'double', 'bool', 'date', 'datetime', 'select', 'user', 'file'];
  // Mirror the checks of activity-definition.ts, so a bad code is flagged before deploy.
  var CODE = /^[A-Za-z0-9._-]{1,128}$/;
  var PROPERTY_CODE = /^[A-Za-z][A-Za-z0-9_]*$/;
  /** Languages always offered for a name; others found in a saved name are shown too. */
  var LANGUAGES = ['ru', 'en'];

  function isMap(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  /** A localised text as one line: the English text, else the Russian, else any. */
  function plainOf(value) {
    if (typeof value === 'string') return value;
    if (!isMap(value)) return '';
    return value.en || value.ru || Object.keys(value).map(function (k) { return value[k]; }).filter(Boolean)[0] || '';
  }

  /** A default as the table shows it: text as it is, anything else as JSON. */
  function defaultText(value) {
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  /** A select's options as the table shows them: one `value=Label` a line. */
  function optionsText(value) {
    if (!isMap(value)) return '';
    return Object.keys(value).map(function (key) { return key + '=' + value[key]; }).join('\n');
  }

  function parseOptions(text) {
    var options = {};
    String(text).split(/\r?\n/).forEach(function (line) {
      if (line.trim() === '') return;
      var at = line.indexOf('=');
      var key = (at < 0 ? line : line.slice(0, at)).trim();
      options[key] = (at < 0 ? key : line.slice(at + 1)).trim();
    });
    return options;
  }

  /**
   * A text plain or by language in `container`. `labels`: `{byLanguage, placeholder}`. Returns `{read()}`: the text,
   * or the map of texts by language (a language that was saved empty stays, so the saved value round-trips).
   */
  function localisedText(container, value, labels) {
    var plain = $('<input type="text" style="width: 100%">').attr('placeholder', labels.placeholder || '').val(typeof value === 'string' ? value : plainOf(value));
    var toggle = $('<input type="checkbox" style="width: auto; margin: 0 6px 0 0">').prop('checked', isMap(value));
    var rows = $('<div style="margin-top: 4px">');
    var languages = LANGUAGES.slice();
    if (isMap(value)) Object.keys(value).forEach(function (lang) { if (languages.indexOf(lang) < 0) languages.push(lang); });
    var inputs = {};
    languages.forEach(function (lang) {
      var row = $('<div style="display: flex; align-items: center; margin-top: 2px">').appendTo(rows);
      $('<code style="width: 32px">').text(lang).appendTo(row);
      inputs[lang] = $('<input type="text" style="flex: 1">').attr('data-language', lang).val(isMap(value) && typeof value[lang] === 'string' ? value[lang] : '').appendTo(row);
    });
    container.empty().append(plain, $('<label style="width: auto; margin-top: 4px">').append(toggle, $('<span>').text(labels.byLanguage)), rows);
    function show() {
      plain.toggle(!toggle.prop('checked'));
      rows.toggle(toggle.prop('checked'));
    }
    toggle.on('change', function () {
      // Switching keeps what was typed: the plain text becomes the English one, and back.
      if (toggle.prop('checked') && inputs.en.val() === '' && plain.val() !== '') inputs.en.val(plain.val());
      if (!toggle.prop('checked') && plain.val() === '') plain.val(plainOf(readTexts()));
      show();
    });
    show();
    function readTexts() {
      var texts = {};
      languages.forEach(function (lang) {
        var text = inputs[lang].val();
        var saved = isMap(value) && Object.prototype.hasOwnProperty.call(value, lang);
        if (text !== '' || saved) texts[lang] = text;
      });
      return texts;
    }
    return {
      read: function () {
        return toggle.prop('checked') ? readTexts() : String(plain.val());
      }
    };
  }

  /**
   * The PROPERTIES (or RETURN_PROPERTIES) table in `container`, an editableList: code, name, type, required,
   * multiple, default, and options for `select`. `labels`: `{code, name, type, required, multiple, default, options,
   * add}`. Returns `{read()}`: the properties object, keyed in the table's order.
   */
  function propertyTable(container, value, labels) {
    var header = $('<div style="display: flex; gap: 4px; padding-left: 28px; font-size: 0.9em">');
    [['code', '18%'], ['name', '24%'], ['type', '16%'], ['required', '8%'], ['multiple', '8%'], ['default', '18%']].forEach(function (column) {
      $('<span>').css('width', column[1]).text(labels[column[0]]).appendTo(header);
    });
    var list = $('<ol class="bitrix24-property-table">').appendTo(container.empty());
    list.editableList({
      header: header,
      addButton: labels.add,
      removable: true,
      sortable: true,
      height: 'auto',
      addItem: function (row, index, data) {
        var original = isMap(data.property) ? data.property : null;
        var cells = {
          code: $('<input type="text" class="bitrix24-property-code" style="width: 18%">').val(data.code || ''),
          name: $('<input type="text" class="bitrix24-property-name" style="width: 24%">').val(original ? plainOf(original.Name) : ''),
          type: $('<select class="bitrix24-property-type" style="width: 16%">'),
          required: $('<input type="checkbox" class="bitrix24-property-required" style="width: 8%">').prop('checked', original ? original.Required === 'Y' : false),
          multiple: $('<input type="checkbox" class="bitrix24-property-multiple" style="width: 8%">').prop('checked', original ? original.Multiple === 'Y' : false),
          default: $('<input type="text" class="bitrix24-property-default" style="width: 18%">').val(original ? defaultText(original.Default) : ''),
          options: $('<textarea class="bitrix24-property-options" rows="3" style="width: 60%; margin: 4px 0 0 18%">').attr('placeholder', labels.options).val(original ? optionsText(original.Options) : '')
        };
        var type = original && typeof original.Type === 'string' ? original.Type : 'string';
        // A type Bitrix24 does not document (hand-written JSON) is kept as it is, as an extra choice.
        PROPERTY_TYPES.concat(PROPERTY_TYPES.indexOf(type) < 0 ? [type] : []).forEach(function (name) {
          $('<option>').val(name).text(name).appendTo(cells.type);
        });
        cells.type.val(type);
        var line = $('<div style="display: flex; gap: 4px; align-items: center">').appendTo(row);
        ['code', 'name', 'type', 'required', 'multiple', 'default'].forEach(function (name) { line.append(cells[name]); });
        row.append(cells.options);
        var shown = {};
        Object.keys(cells).forEach(function (name) { shown[name] = cellValue(cells[name]); });
        row.data('bitrix24', { original: original, cells: cells, shown: shown });
        cells.type.on('change', function () { cells.options.toggle(cells.type.val() === 'select'); }).trigger('change');
        cells.code.on('change keyup', function () { markCodes(list); });
        markCodes(list);
      }
    });
    Object.keys(isMap(value) ? value : {}).forEach(function (code) {
      list.editableList('addItem', { code: code, property: value[code] });
    });
    return {
      read: function () {
        var properties = {};
        list.editableList('items').each(function () {
          var row = $(this).data('bitrix24');
          var code = String(row.cells.code.val()).trim();
          if (code !== '') properties[code] = propertyOf(row);
        });
        return properties;
      }
    };
  }

  function cellValue(cell) {
    return cell.is(':checkbox') ? cell.prop('checked') : String(cell.val());
  }

  /** A row's property: its original object with only the edited members changed; a new row spells every member. */
  function propertyOf(row) {
    var property = row.original ? $.extend(true, {}, row.original) : {};
    var isNew = row.original === null;
    var edited = function (name) { return isNew || cellValue(row.cells[name]) !== row.shown[name]; };
    if (edited('name')) property.Name = String(row.cells.name.val());
    if (edited('type')) property.Type = String(row.cells.type.val());
    if (edited('required')) property.Required = row.cells.required.prop('checked') ? 'Y' : 'N';
    if (edited('multiple')) property.Multiple = row.cells.multiple.prop('checked') ? 'Y' : 'N';
    if (edited('default')) property.Default = String(row.cells.default.val());
    var select = row.cells.type.val() === 'select';
    if (select && edited('options')) property.Options = parseOptions(row.cells.options.val());
    return property;
  }

  /** Flags codes Bitrix24 would refuse, and codes used twice (the later row would replace the earlier one). */
  function markCodes(list) {
    var seen = {};
    list.find('.bitrix24-property-code').each(function () {
      var code = String($(this).val()).trim();
      var bad = code !== '' && (!PROPERTY_CODE.test(code) || seen[code]);
      seen[code] = true;
      $(this).toggleClass('input-error', !!bad);
    });
  }

  // Validators take (value, opt): Node-RED reads a validator of two parameters as one that may answer with a reason,
  // and coerces the answer of any other to a boolean (a reason would then pass as valid).

  /** A validator for the code: required and in Bitrix24's characters, once the node registers itself. */
  function codeValidator(message) {
    return function (value, opt) {
      var field = $('#node-input-registerAs');
      var registerAs = field.length ? field.val() : this.registerAs;
      return !registerAs || CODE.test(String(value || '').trim()) || this._(message);
    };
  }

  /** A validator for the name: a text, or at least one text by language, once the node registers itself. */
  function nameValidator(message) {
    return function (value, opt) {
      var field = $('#node-input-registerAs');
      var registerAs = field.length ? field.val() : this.registerAs;
      if (!registerAs) return true;
      var ok = typeof value === 'string' ? value.trim() !== '' : isMap(value) && Object.keys(value).some(function (k) { return String(value[k]).trim() !== ''; });
      return ok || this._(message);
    };
  }

  window.Bitrix24Definition = {
    PROPERTY_TYPES: PROPERTY_TYPES,
    localisedText: localisedText,
    propertyTable: propertyTable,
    codeValidator: codeValidator,
    nameValidator: nameValidator
  };
})();
