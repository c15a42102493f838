/* The shop's only script: renders the Amazon Pay button from the signed configuration in the
   page, binds the review page's change links (Amazon Pay's checkout.js is loaded first), and
   reloads a page that shows a payment still in progress. */
(function () {
  'use strict';
  // Amazon Pay's checkout.js did not load. For a buyer it is simply unavailable; for the developer
  // running this reference shop the usual cause is that the browser does not trust the
  // emulator's certificate, which only the browser console would say, so the page says it too.
  function unavailable(element) {
    var p = document.createElement('p');
    p.className = 'alert error';
    p.id = 'amazon-pay-unavailable';
    p.setAttribute('role', 'alert');
    p.textContent = 'Amazon Pay is not available right now. Please try again later.';
    element.appendChild(p);

    var script = document.getElementById('amazon-pay-checkout-js');
    var url = script ? script.src : 'checkout.js';
    var note = document.createElement('p');
    note.className = 'dev-note';
    note.id = 'amazon-pay-unavailable-note';
    note.appendChild(document.createTextNode('Developer note: Amazon Pay\'s checkout.js did not load from '));
    var link = document.createElement('a');
    link.href = url;
    link.textContent = url;
    note.appendChild(link);
    note.appendChild(document.createTextNode(
      '. Against the local emulator this usually means the browser does not trust its certificate: ' +
      'open that link once and accept the warning, or trust the emulator\'s CA certificate ' +
      '(.amzpay/tls/ca.pem for scripts/emulator, target/shop/emulator/tls/ca.pem for scripts/shop). ' +
      'Otherwise check that the emulator is running.'));
    element.appendChild(note);
  }

  var button = document.getElementById('AmazonPayButton');
  if (button) {
    if (window.amazon && window.amazon.Pay) {
      window.amazon.Pay.renderButton('#AmazonPayButton', JSON.parse(button.getAttribute('data-config')));
    } else {
      unavailable(button);
    }
  }

  var review = document.getElementById('review');
  if (review) {
    var id = review.getAttribute('data-session-id');
    if (window.amazon && window.amazon.Pay) {
      if (document.getElementById('change-address')) {
        window.amazon.Pay.bindChangeAction('#change-address', { amazonCheckoutSessionId: id, changeAction: 'changeAddress' });
      }
      window.amazon.Pay.bindChangeAction('#change-payment', { amazonCheckoutSessionId: id, changeAction: 'changePayment' });
    } else {
      unavailable(review);
    }
  }

  // An order whose charge or refund Amazon Pay is still deciding changes when Amazon Pay's
  // notification reaches the shop: the page reloads itself until then (the server stops
  // sending the marker, and this script, once nothing is pending).
  var pending = document.querySelector('[data-reload-while-pending]');
  if (pending) {
    var delay = parseInt(pending.getAttribute('data-reload-while-pending'), 10) || 3000;
    window.setTimeout(function () { window.location.reload(); }, delay);
  }
}());
