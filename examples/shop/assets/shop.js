/* The shop's only script: renders the Amazon Pay button from the signed configuration in the
   page, and binds the review page's change links. Amazon Pay's checkout.js is loaded first. */
(function () {
  'use strict';
  function unavailable(element) {
    var p = document.createElement('p');
    p.className = 'alert error';
    p.setAttribute('role', 'alert');
    p.textContent = 'Amazon Pay is not available right now. Please try again later.';
    element.appendChild(p);
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
}());
