/*
 * amzpay emulator: a stand-in for Amazon Pay's checkout.js, written from the documented
 * behaviour (renderButton, initCheckout, bindChangeAction, signout). It talks only to the
 * emulator that served it and loads nothing else.
 *
 *   amazon.Pay.renderButton('#AmazonPayButton', {
 *     merchantId, ledgerCurrency, checkoutLanguage, productType, placement, buttonColor,
 *     createCheckoutSessionConfig: { payloadJSON, signature, publicKeyId, algorithm }
 *   });
 *   amazon.Pay.bindChangeAction('#changeAddress', {
 *     amazonCheckoutSessionId, changeAction: 'changeAddress' // or 'changePayment'
 *   });
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src, window.location.href).origin : window.location.origin;
  var counter = 0;

  var COLORS = {
    Gold: { background: '#FFD814', border: '#C7A600', text: '#0F1111' },
    LightGray: { background: '#E3E6E6', border: '#888C8C', text: '#0F1111' },
    DarkGray: { background: '#232F3E', border: '#131A22', text: '#FFFFFF' }
  };

  function resolve(selector) {
    var element = typeof selector === 'string' ? document.querySelector(selector) : selector;
    if (!element) {
      throw new Error('amazon.Pay: no element matches ' + selector);
    }
    return element;
  }

  function style(element, props) {
    Object.keys(props).forEach(function (k) { element.style[k] = props[k]; });
  }

  function describeError(body, status) {
    var message = body && typeof body.message === 'string' ? body.message : 'Amazon Pay answered with HTTP ' + status + '.';
    var code = body && typeof body.reasonCode === 'string' ? ' (' + body.reasonCode + ')' : '';
    return 'Amazon Pay cannot start checkout: ' + message + code;
  }

  /* Creates the Checkout Session from a signed createCheckoutSessionConfig and goes to sign-in. */
  function startCheckout(sessionConfig, buttonConfig, ui) {
    if (!sessionConfig || typeof sessionConfig.payloadJSON !== 'string' || typeof sessionConfig.signature !== 'string') {
      ui.fail('Amazon Pay cannot start checkout: createCheckoutSessionConfig needs payloadJSON and signature (strings).');
      return;
    }
    var body = {
      payloadJSON: sessionConfig.payloadJSON,
      signature: sessionConfig.signature,
      publicKeyId: sessionConfig.publicKeyId || buttonConfig.publicKeyId,
      algorithm: sessionConfig.algorithm,
      productType: buttonConfig.productType,
      merchantId: buttonConfig.merchantId
    };
    ui.busy('Connecting to Amazon Pay…');
    fetch(origin + '/checkout/start', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit'
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (json) {
        if (response.ok && json && json.redirectUrl) {
          window.location.assign(json.redirectUrl);
        } else {
          ui.fail(describeError(json, response.status));
        }
      });
    }).catch(function () {
      ui.fail('Amazon Pay cannot be reached. Check your connection and try again.');
    });
  }

  /* The button and its status line inside the merchant's container. */
  function buildButton(container, config) {
    var id = 'amazonpay-' + (++counter);
    var colors = COLORS[config.buttonColor] || COLORS.Gold;
    var button = document.createElement('button');
    button.type = 'button';
    button.id = id + '-button';
    button.className = 'amazonpay-button';
    button.setAttribute('aria-describedby', id + '-status');
    var label = config.productType === 'SignIn' ? 'Sign in with Amazon' : 'Pay with Amazon Pay';
    button.setAttribute('aria-label', label);
    var brand = document.createElement('span');
    brand.textContent = 'amazon pay';
    style(brand, { fontWeight: '700', letterSpacing: '0.02em' });
    button.appendChild(brand);
    style(button, {
      display: 'block', width: '100%', maxWidth: '320px', minWidth: '150px', minHeight: '45px',
      padding: '0.5rem 1rem', borderRadius: '8px', border: '1px solid ' + colors.border,
      background: colors.background, color: colors.text, font: 'inherit', fontSize: '1.125rem',
      cursor: 'pointer'
    });

    var status = document.createElement('p');
    status.id = id + '-status';
    status.className = 'amazonpay-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    style(status, { margin: '0.5rem 0 0', maxWidth: '320px', fontSize: '0.9375rem' });

    container.textContent = '';
    container.appendChild(button);
    container.appendChild(status);

    return {
      button: button,
      busy: function (text) {
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
        status.setAttribute('role', 'status');
        status.className = 'amazonpay-status';
        style(status, { color: '#0F1111', border: '0', padding: '0', background: 'transparent' });
        status.textContent = text;
      },
      fail: function (text) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
        status.setAttribute('role', 'alert');
        status.className = 'amazonpay-status amazonpay-error';
        style(status, {
          color: '#B12704', border: '1px solid #B12704', borderRadius: '6px',
          padding: '0.5rem 0.75rem', background: '#FFF5F5'
        });
        status.textContent = text;
      }
    };
  }

  function renderButton(selector, config) {
    config = config || {};
    var container = resolve(selector);
    var ui = buildButton(container, config);
    var clickHandler = typeof config.onClick === 'function' ? config.onClick : null;
    var api = {
      /* Starts checkout with a config the merchant signs on click (Buy Now style). */
      initCheckout: function (options) {
        startCheckout((options || {}).createCheckoutSessionConfig || config.createCheckoutSessionConfig, config, ui);
      },
      onClick: function (handler) {
        clickHandler = typeof handler === 'function' ? handler : null;
      }
    };
    ui.button.addEventListener('click', function () {
      if (clickHandler) {
        clickHandler(api);
      } else {
        startCheckout(config.createCheckoutSessionConfig, config, ui);
      }
    });
    return api;
  }

  function bindChangeAction(selector, options) {
    options = options || {};
    var action = options.changeAction;
    if (action !== 'changeAddress' && action !== 'changePayment') {
      throw new Error("amazon.Pay.bindChangeAction: changeAction must be 'changeAddress' or 'changePayment'");
    }
    if (!options.amazonCheckoutSessionId) {
      throw new Error('amazon.Pay.bindChangeAction: amazonCheckoutSessionId is required');
    }
    var url = origin + '/checkout/select?amazonCheckoutSessionId=' +
      encodeURIComponent(options.amazonCheckoutSessionId) + '&changeAction=' + encodeURIComponent(action);
    var elements = typeof selector === 'string' ? document.querySelectorAll(selector) : [selector];
    Array.prototype.forEach.call(elements, function (element) {
      if (element.tagName === 'A') {
        element.setAttribute('href', url);
      }
      element.addEventListener('click', function (event) {
        event.preventDefault();
        window.location.assign(url);
      });
    });
  }

  /* Starts checkout without a rendered button. Errors go to the console and an alert. */
  function initCheckout(config) {
    config = config || {};
    startCheckout(config.createCheckoutSessionConfig, config, {
      busy: function () {},
      fail: function (text) {
        if (window.console) { window.console.error(text); }
        window.alert(text);
      }
    });
  }

  window.amazon = window.amazon || {};
  window.amazon.Pay = {
    renderButton: renderButton,
    bindChangeAction: bindChangeAction,
    initCheckout: initCheckout,
    /* The emulator keeps no buyer login between checkouts, so there is nothing to sign out of. */
    signout: function () {}
  };
}());
