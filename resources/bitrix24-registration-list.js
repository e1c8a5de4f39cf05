/* The portal dialog's list of the activities and robots this application registered on the portal, asked of the
 * deployed portal node through an admin endpoint: which deployed receiver serves each, the orphans with a Remove
 * button (after a confirmation), and the receivers that keep a registration the portal does not have. Every text comes
 * from `text(name, params)`, which the dialog binds to its catalogue's `registrations` keys. */
(function () {
  'use strict';
  if (window.Bitrix24RegistrationList) return;

  /** Wires the dialog's Show registered button (#bitrix24-portal-registrations) for the portal `node`. */
  function attach(node, text) {
    var result = $('#bitrix24-portal-registrations-result');
    var list = $('#bitrix24-portal-registrations-list');
    var kindText = function (kind) {
      return text(kind === 'robot' ? 'robot' : 'activity');
    };
    var servedBy = function (nodes) {
      return nodes.map(function (served) { return served.flow ? served.name + ' (' + served.flow + ')' : served.name; }).join(', ');
    };
    var remove = function (entry) {
      var buttons = { cancel: text('cancel'), confirm: text('remove') };
      var question = text('confirmRemove', { kind: kindText(entry.kind), code: entry.code });
      Bitrix24Editor.confirmAction(question, buttons, function () {
        Bitrix24Editor.postJson('bitrix24-bizproc-activity-in/unregister', { portal: node.id, registerAs: entry.kind, code: entry.code }).done(function (answer) {
          if (!answer.ok) {
            result.text(Bitrix24Editor.failureText(answer));
            return;
          }
          show(text(answer.outcome === 'removed' ? 'removed' : 'absent', { kind: kindText(entry.kind), code: entry.code }));
        }).fail(function (xhr) {
          result.text(text('unreachable', { status: xhr.status }));
        });
      });
    };
    var render = function (answer) {
      list.empty();
      var rows = answer.activities.concat(answer.robots);
      if (rows.length === 0 && answer.missing.length === 0) {
        $('<div>').text(text('none')).appendTo(list);
        return;
      }
      var table = $('<table class="bitrix24-portal-registrations" style="width: 100%">').appendTo(list);
      var head = $('<tr>').appendTo($('<thead>').appendTo(table));
      ['kind', 'code', 'servedBy'].forEach(function (column) { $('<th style="text-align: left">').text(text(column)).appendTo(head); });
      var body = $('<tbody>').appendTo(table);
      rows.forEach(function (entry) {
        var row = $('<tr>').attr('data-code', entry.code).attr('data-kind', entry.kind).appendTo(body);
        $('<td>').text(kindText(entry.kind)).appendTo(row);
        $('<td>').append($('<code>').text(entry.code)).appendTo(row);
        var cell = $('<td>').appendTo(row);
        if (entry.nodes.length > 0) {
          cell.text(servedBy(entry.nodes));
          return;
        }
        cell.append($('<span class="bitrix24-portal-test-failed">').text(text('orphan')), ' ');
        $('<button type="button" class="red-ui-button red-ui-button-small bitrix24-portal-remove">')
          .text(text('remove'))
          .on('click', function (event) {
            event.preventDefault();
            remove(entry);
          })
          .appendTo(cell);
      });
      answer.missing.forEach(function (entry) {
        var row = $('<tr class="bitrix24-portal-missing">').attr('data-code', entry.code).attr('data-kind', entry.kind).appendTo(body);
        $('<td>').text(kindText(entry.kind)).appendTo(row);
        $('<td>').append($('<code>').text(entry.code)).appendTo(row);
        $('<td>').text(text('missing', { nodes: servedBy(entry.nodes) })).appendTo(row);
      });
    };
    var show = function (message) {
      result.text(text('loading'));
      Bitrix24Editor.postJson('bitrix24-portal/registrations', { id: node.id }).done(function (answer) {
        if (!answer.ok) {
          list.empty();
          result.text(Bitrix24Editor.failureText(answer));
          return;
        }
        result.text(message || '');
        render(answer);
      }).fail(function (xhr) {
        result.text(text('unreachable', { status: xhr.status }));
      });
    };
    $('#bitrix24-portal-registrations').on('click', function (event) {
      event.preventDefault();
      show();
    });
  }

  window.Bitrix24RegistrationList = { attach: attach };
})();
