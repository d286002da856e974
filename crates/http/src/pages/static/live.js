// Live pages. A page of this site whose content is marked `data-live` follows the declaration
// events of the signed-in user (the server-sent events of /api/v1/events), or those of one
// declaration, or the seal alerts (/api/v1/alerts/stream), or the vehicles of a checkpoint
// (/api/v1/checkpoints/{code}/stream), and, when one arrives, fetches the page again and puts
// its fresh content in place, at most once a second.
(function () {
  'use strict';
  var live = document.querySelector('[data-live]');
  if (!live || !window.EventSource) {
    return;
  }
  // `declaration:<id>` follows one declaration's events; `declarations` every one.
  var only = /^declaration:/.test(live.dataset.live) ? live.dataset.live.slice('declaration:'.length) : null;
  // True when the user has typed into, chosen in or attached to a form of the live content:
  // replacing it would lose that input.
  function edited(root) {
    return Array.prototype.some.call(root.querySelectorAll('input, textarea, select'), function (field) {
      if (field.type === 'file') {
        return field.files && field.files.length > 0;
      }
      if (field.type === 'checkbox' || field.type === 'radio') {
        return field.checked !== field.defaultChecked;
      }
      if (field.tagName === 'SELECT') {
        // Without a preselected option a select shows its first one.
        var preselected = Array.prototype.findIndex.call(field.options, function (o) {
          return o.defaultSelected;
        });
        return field.selectedIndex !== Math.max(preselected, 0);
      }
      return field.type !== 'hidden' && field.value !== field.defaultValue;
    });
  }
  // Says, without touching the user's input, that the page has changed.
  function tell() {
    if (document.getElementById('live-notice')) {
      return;
    }
    var notice = document.createElement('p');
    notice.id = 'live-notice';
    notice.setAttribute('role', 'status');
    notice.textContent = 'This page has changed since you began typing; your input is kept. Reload the page to see the change.';
    live.parentNode.insertBefore(notice, live);
  }
  var busy = false;
  var again = false;
  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.href, { credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-live]');
        var current = document.querySelector('[data-live]');
        if (fresh && current && edited(current)) {
          tell();
        } else if (fresh && current) {
          current.replaceWith(fresh);
          live = fresh;
        }
      })
      .catch(function () {})
      .then(function () {
        setTimeout(function () {
          busy = false;
          if (again) {
            again = false;
            refresh();
          }
        }, 1000);
      });
  }
  if (live.dataset.live === 'alerts') {
    // Seal alerts: raised, amended or ended.
    var alerts = new EventSource('/api/v1/alerts/stream');
    ['opened', 'closed', 'amended'].forEach(function (name) {
      alerts.addEventListener(name, refresh);
    });
    return;
  }
  if (/^checkpoint:/.test(live.dataset.live)) {
    // `checkpoint:<code>` follows every vehicle of a checkpoint, `checkpoint:<code>:<id>` one.
    var parts = live.dataset.live.split(':');
    var vehicle = parts.length > 2 ? parts[2] : null;
    var vehicles = new EventSource('/api/v1/checkpoints/' + encodeURIComponent(parts[1]) + '/stream');
    ['admitted', 'plate_read', 'weighing', 'radiation', 'scan', 'call', 'done', 'cross', 'refuse', 'cancel', 'unattached'].forEach(
      function (name) {
        vehicles.addEventListener(name, function (event) {
          if (vehicle !== null) {
            try {
              if (JSON.parse(event.data).vehicle !== vehicle) {
                return;
              }
            } catch (e) {
              return;
            }
          }
          refresh();
        });
      }
    );
    return;
  }
  var events = new EventSource('/api/v1/events');
  ['submitted', 'registered', 'lane_assigned', 'released', 'refused', 'awaiting_payment', 'documents_requested',
    'documents_answered'].forEach(function (name) {
    events.addEventListener(name, function (event) {
      if (only !== null) {
        try {
          if (JSON.parse(event.data).declaration_id !== only) {
            return;
          }
        } catch (e) {
          return;
        }
      }
      refresh();
    });
  });
})();
