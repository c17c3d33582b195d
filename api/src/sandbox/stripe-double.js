/*! plog sandbox — a test double of Stripe.js for offline use. NOT Stripe.js: no real money.
 *
 * Implements exactly what the plog widget uses, as Stripe.js's own TypeScript definitions
 * (@stripe/stripe-js) describe it — e2e/stripe-types checks the widget's calls and this
 * double's answers against them: Stripe(pk, {locale}), elements(), create('card'), mount,
 * unmount, destroy, on('change'), focus, confirmCardPayment; and the wallets: elements({mode,
 * amount, currency, allowedPaymentMethodTypes}), create('expressCheckout'), on('ready' |
 * 'confirm' | 'cancel'), update, submit, confirmPayment({elements, clientSecret, confirmParams,
 * redirect: 'if_required'}). As the endive Stripe.js does, create('paymentRequestButton') throws.
 * The Express Checkout Element shows one "Google Pay (sandbox)" button whose sheet pays with a
 * test card; `window.plogSandboxWallet` (read when the buttons mount) makes the device offer no
 * wallet ("none"), the wallet's card fail ("fail"), or the payment's answer get lost after the
 * payment went through ("lose"). The card Element renders plain
 * inputs (number, expiry, CVC) in its mount point, with validation messages in the locale given
 * (en, ja). Like Stripe.js, it refuses a mount point inside a ShadowRoot and throws
 * IntegrationError for misuse. Payments are completed by plog's sandbox helper
 * (/sandbox/confirm), which talks to localstripe with the test secret key; its refusals carry
 * `error.payment_intent` as Stripe's do. 3-D Secure cards show a visible "Complete / Fail
 * authentication" step.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/\/sandbox\/stripe\.js(?:[?#].*)?$/, "") : "";

  function IntegrationError(message) {
    var error = new Error(message);
    error.name = "IntegrationError";
    return error;
  }

  function luhn(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = +digits[digits.length - 1 - i];
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  // Like Stripe's own wrapper elements, every inline declaration is !important: the double
  // lives in the blog's light DOM and the blog's CSS must not be able to hide it.
  function el(tag, attrs, style) {
    var node = document.createElement(tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (style) {
      // CSSOM rather than a style attribute, which a blog's strict CSP would block.
      node.style.cssText = style.split(";").filter(function (d) { return d.trim(); })
        .map(function (d) { return d + " !important"; }).join(";");
    }
    return node;
  }

  // Stripe.js's own wording of its card validation messages, in the locales the widget speaks.
  var MESSAGES = {
    en: {
      invalid_number: "Your card number is invalid.",
      incomplete_number: "Your card number is incomplete.",
      invalid_expiry_month: "Your card's expiration month is invalid.",
      invalid_expiry_year_past: "Your card's expiration year is in the past.",
      incomplete_expiry: "Your card's expiration date is incomplete.",
      incomplete_cvc: "Your card's security code is incomplete.",
    },
    ja: {
      invalid_number: "カード番号が無効です。",
      incomplete_number: "カード番号が不完全です。",
      invalid_expiry_month: "カードの有効期限の月が無効です。",
      invalid_expiry_year_past: "カードの有効期限の年が過去です。",
      incomplete_expiry: "カードの有効期限が不完全です。",
      incomplete_cvc: "カードのセキュリティコードが不完全です。",
    },
  };

  function CardElement(options, locale) {
    this.options = options || {};
    this.messages = MESSAGES[locale] || MESSAGES.en;
    this.locale = MESSAGES[locale] ? locale : "en";
    this.destroyed = false;
    this.handlers = { change: [] };
    this.container = null;
    this.inputs = null;
  }

  CardElement.prototype.mount = function (target) {
    if (this.destroyed) throw IntegrationError("This Element has already been destroyed. Please create a new one.");
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node || !node.nodeType) throw IntegrationError("The selector you specified (" + target + ") applies to no DOM elements.");
    if (typeof ShadowRoot !== "undefined" && node.getRootNode() instanceof ShadowRoot) {
      throw IntegrationError("Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.");
    }
    var base = (this.options.style && this.options.style.base) || {};
    var field = "all:revert;box-sizing:border-box;border:0;outline:0;background:transparent;font:inherit;color:inherit;padding:0.2em 0;margin:0;";
    var wrap = el("div", { "data-plog-sandbox-card": "", "data-locale": this.locale },
      "all:revert;display:flex;visibility:visible;gap:0.75em;align-items:center;flex-wrap:wrap;font-size:" + (base.fontSize || "16px") +
      ";font-family:" + (base.fontFamily || "system-ui, sans-serif") + ";color:" + (base.color || "#1f2328"));
    var number = el("input", { "aria-label": "Card number", placeholder: "Card number", inputmode: "numeric", autocomplete: "cc-number", name: "cardnumber" }, field + "flex:1 1 12em;min-width:10em");
    var expiry = el("input", { "aria-label": "Expiration date MM / YY", placeholder: "MM / YY", inputmode: "numeric", autocomplete: "cc-exp", name: "exp-date" }, field + "width:5.5em");
    var cvc = el("input", { "aria-label": "CVC", placeholder: "CVC", inputmode: "numeric", autocomplete: "cc-csc", name: "cvc" }, field + "width:4em");
    wrap.appendChild(number); wrap.appendChild(expiry); wrap.appendChild(cvc);
    node.appendChild(wrap);
    this.container = wrap;
    this.inputs = { number: number, expiry: expiry, cvc: cvc };
    var self = this;
    [number, expiry, cvc].forEach(function (input) {
      input.addEventListener("input", function () { self._emit(); });
      input.addEventListener("blur", function () { self._emit(true); });
    });
  };

  CardElement.prototype.unmount = function () {
    if (this.container && this.container.parentNode) this.container.parentNode.removeChild(this.container);
    this.container = null;
    this.inputs = null;
  };
  CardElement.prototype.destroy = function () {
    this.unmount();
    this.handlers = { change: [] };
    this.destroyed = true;
    destroyedElements += 1;
  };
  var destroyedElements = 0;

  CardElement.prototype.focus = function () {
    if (this.inputs) this.inputs.number.focus();
  };

  CardElement.prototype.on = function (event, handler) {
    (this.handlers[event] = this.handlers[event] || []).push(handler);
    return this;
  };
  CardElement.prototype.off = function (event, handler) {
    this.handlers[event] = (this.handlers[event] || []).filter(function (h) { return h !== handler; });
    return this;
  };

  /** Validates the inputs the way Stripe's card Element reports them. */
  CardElement.prototype._state = function (strict) {
    var i = this.inputs;
    var messages = this.messages;
    if (!i) return { complete: false, empty: true, error: { type: "validation_error", code: "incomplete_number", message: messages.incomplete_number } };
    var digits = i.number.value.replace(/\D/g, "");
    var exp = i.expiry.value.replace(/\s/g, "").match(/^(\d{1,2})\/?(\d{2})$/);
    var cvc = i.cvc.value.replace(/\D/g, "");
    var empty = !digits && !i.expiry.value && !cvc;
    var error = null;
    if (digits.length >= 13 && !luhn(digits)) error = ["invalid_number"];
    else if (strict && digits.length < 13) error = ["incomplete_number"];
    else if (exp) {
      var month = +exp[1], year = 2000 + +exp[2], now = new Date();
      if (month < 1 || month > 12) error = ["invalid_expiry_month"];
      else if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1))
        error = ["invalid_expiry_year_past"];
    } else if (strict && i.expiry.value) error = ["incomplete_expiry"];
    if (!error && strict && !exp) error = ["incomplete_expiry"];
    if (!error && strict && cvc.length < 3) error = ["incomplete_cvc"];
    var complete = !error && digits.length >= 13 && luhn(digits) && !!exp && cvc.length >= 3;
    return {
      complete: complete, empty: empty,
      error: error ? { type: "validation_error", code: error[0], message: messages[error[0]] } : undefined,
      card: complete ? { number: digits, exp_month: +exp[1], exp_year: 2000 + +exp[2], cvc: cvc } : null,
    };
  };

  /** The card brand as Stripe.js names it, from the number's first digits. */
  function brand(inputs) {
    var digits = inputs ? inputs.number.value.replace(/\D/g, "") : "";
    if (/^4/.test(digits)) return "visa";
    if (/^(5[1-5]|2[2-7])/.test(digits)) return "mastercard";
    if (/^3[47]/.test(digits)) return "amex";
    if (/^35/.test(digits)) return "jcb";
    return "unknown";
  }

  CardElement.prototype._emit = function (strict) {
    var s = this._state(strict && !this._state(false).empty);
    var event = { elementType: "card", empty: s.empty, complete: s.complete, error: s.error, brand: brand(this.inputs), value: { postalCode: "" } };
    (this.handlers.change || []).forEach(function (h) { h(event); });
  };

  function post(path, body) {
    return fetch(base + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .catch(function () { return { error: { type: "api_connection_error", code: "api_connection_error", message: "Could not reach the payment sandbox." } }; });
  }

  /** The visible 3-D Secure step: resolves true (complete) or false (fail). */
  function authenticationStep() {
    return new Promise(function (resolve) {
      var overlay = el("div", { role: "dialog", "aria-modal": "true", "aria-label": "3-D Secure authentication", "data-plog-sandbox-3ds": "" },
        "all:revert;position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,0.5);display:flex;align-items:center;justify-content:center;font-family:system-ui,sans-serif");
      var box = el("div", {}, "all:revert;background:#fff;color:#1f2328;padding:1.5em;border-radius:8px;max-width:22em;text-align:center");
      box.appendChild(el("p", {}, "all:revert;margin:0 0 1em")).textContent = "Sandbox 3-D Secure: authenticate this test payment?";
      var ok = el("button", { type: "button" }, "all:revert;margin:0 0.5em;padding:0.5em 1em");
      ok.textContent = "Complete authentication";
      var fail = el("button", { type: "button" }, "all:revert;margin:0 0.5em;padding:0.5em 1em");
      fail.textContent = "Fail authentication";
      box.appendChild(ok); box.appendChild(fail); overlay.appendChild(box);
      document.body.appendChild(overlay);
      function done(result) { overlay.parentNode.removeChild(overlay); resolve(result); }
      ok.addEventListener("click", function () { done(true); });
      fail.addEventListener("click", function () { done(false); });
      ok.focus();
    });
  }

  function StripeDouble(publishableKey, options) {
    if (!(this instanceof StripeDouble)) return new StripeDouble(publishableKey, options);
    if (typeof publishableKey !== "string" || publishableKey.indexOf("pk_") !== 0) {
      throw IntegrationError("Invalid API Key provided: " + publishableKey);
    }
    if (publishableKey.indexOf("pk_live_") === 0) throw IntegrationError("The plog sandbox refuses live keys.");
    this.publishableKey = publishableKey;
    this.locale = (options && options.locale) || "auto";
    // A connected account, as Stripe.js takes it: every call then acts on that account.
    var account = options && options.stripeAccount;
    if (account !== undefined && !(typeof account === "string" && /^acct_[A-Za-z0-9]+$/.test(account))) {
      throw IntegrationError("Invalid value for Stripe(): stripeAccount should be a string. You specified: " + account + ".");
    }
    this.stripeAccount = account;
  }

  /** An Elements group: plain (the card), or in deferred-intent mode (the wallets). */
  function ElementsGroup(stripe, options) {
    options = options || {};
    if (options.mode !== undefined) {
      if (options.mode !== "payment") throw IntegrationError("The plog sandbox only implements mode: 'payment'.");
      if (!(typeof options.amount === "number" && options.amount > 0 && Math.floor(options.amount) === options.amount)) {
        throw IntegrationError("Invalid value for elements(): amount should be a positive integer. You specified: " + options.amount + ".");
      }
      if (typeof options.currency !== "string" || !/^[a-z]{3}$/.test(options.currency)) {
        throw IntegrationError("Invalid value for elements(): currency should be a lowercase three-letter ISO code.");
      }
      if (options.allowedPaymentMethodTypes !== undefined && !Array.isArray(options.allowedPaymentMethodTypes)) {
        throw IntegrationError("Invalid value for elements(): allowedPaymentMethodTypes should be an array of strings.");
      }
    }
    this.stripe = stripe;
    this.options = options;
    this.submitted = false;
    this.express = null;
  }

  ElementsGroup.prototype.create = function (kind, options) {
    if (kind === "card") return new CardElement(options, this.stripe.locale);
    if (kind === "paymentRequestButton") {
      throw IntegrationError("The paymentRequestButton Element is no longer supported. Use the Express Checkout Element instead.");
    }
    if (kind === "expressCheckout") {
      if (this.options.mode === undefined && this.options.clientSecret === undefined) {
        throw IntegrationError("In order to create an expressCheckout element, you must pass a clientSecret or mode when creating the Elements group.");
      }
      if (this.express) throw IntegrationError("Can only create one Element of type expressCheckout.");
      this.express = new ExpressCheckoutElement(this, options || {});
      return this.express;
    }
    throw IntegrationError("The plog sandbox does not implement the '" + kind + "' Element.");
  };

  ElementsGroup.prototype.update = function (options) {
    for (var k in options) this.options[k] = options[k];
    this.submitted = false;
    return Promise.resolve();
  };

  /** Validates the wallet's data (the sheet was approved), as Stripe's submit does. */
  ElementsGroup.prototype.submit = function () {
    var express = this.express;
    if (!express || !express.approved) {
      return Promise.resolve({ error: { type: "validation_error", message: "The payment details are incomplete." } });
    }
    this.submitted = true;
    return Promise.resolve({ selectedPaymentMethod: "google_pay" });
  };

  /** The wallets' test cards: approved, declined. */
  var WALLET_CARDS = {
    pay: { number: "4242424242424242", exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: "123" },
    fail: { number: "4000000000000341", exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: "123" },
  };

  /** The Express Checkout Element: one "Google Pay (sandbox)" button, unless told otherwise. */
  function ExpressCheckoutElement(group, options) {
    this.group = group;
    this.options = options;
    this.handlers = {};
    this.container = null;
    this.sheet = null;
    this.approved = false;
    this.destroyed = false;
    this.behaviour = "pay";
  }

  ExpressCheckoutElement.prototype.on = function (event, handler) {
    (this.handlers[event] = this.handlers[event] || []).push(handler);
    return this;
  };
  ExpressCheckoutElement.prototype.off = function (event, handler) {
    this.handlers[event] = (this.handlers[event] || []).filter(function (h) { return h !== handler; });
    return this;
  };
  ExpressCheckoutElement.prototype._emit = function (name, event) {
    (this.handlers[name] || []).forEach(function (h) { h(event); });
  };

  ExpressCheckoutElement.prototype.mount = function (target) {
    if (this.destroyed) throw IntegrationError("This Element has already been destroyed. Please create a new one.");
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node || !node.nodeType) throw IntegrationError("The selector you specified (" + target + ") applies to no DOM elements.");
    if (typeof ShadowRoot !== "undefined" && node.getRootNode() instanceof ShadowRoot) {
      throw IntegrationError("Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.");
    }
    var told = window.plogSandboxWallet;
    this.behaviour = told === "none" || told === "fail" || told === "lose" ? told : "pay";
    var self = this;
    var offered = this.behaviour !== "none";
    if (offered) {
      var dark = this.options.buttonTheme && this.options.buttonTheme.googlePay === "white";
      var height = Math.min(55, Math.max(40, this.options.buttonHeight || 44));
      var button = el("button", { type: "button", "data-plog-sandbox-wallet": "google_pay", "aria-label": "Google Pay (sandbox)" },
        "all:revert;display:block;width:100%;height:" + height + "px;border-radius:6px;cursor:pointer;font:600 16px system-ui,sans-serif;" +
        (dark ? "background:#fff;color:#000;border:1px solid #fff" : "background:#000;color:#fff;border:1px solid #000"));
      button.textContent = "Google Pay (sandbox)";
      button.addEventListener("click", function () { self._openSheet(); });
      node.appendChild(button);
      this.container = button;
    }
    // Stripe emits ready once the buttons have rendered (none: availablePaymentMethods undefined).
    setTimeout(function () {
      if (self.destroyed) return;
      self._emit("ready", {
        elementType: "expressCheckout",
        availablePaymentMethods: offered
          ? { amazonPay: false, applePay: false, googlePay: true, link: false, paypal: false, klarna: false }
          : undefined,
      });
    }, 0);
  };

  /** The wallet's sheet: what is paid, to whom, with which address; Pay or Cancel. */
  ExpressCheckoutElement.prototype._openSheet = function () {
    if (this.sheet || this.destroyed) return;
    var self = this;
    var options = this.group.options;
    var amount = new Intl.NumberFormat(this.group.stripe.locale === "ja" ? "ja-JP" : "en-US", {
      style: "currency", currency: options.currency.toUpperCase(),
    }).format(options.amount / Math.pow(10, new Intl.NumberFormat("en", { style: "currency", currency: options.currency.toUpperCase() }).resolvedOptions().maximumFractionDigits));
    var email = window.plogSandboxWalletEmail || "wallet-reader@example.com";
    var overlay = el("div", { role: "dialog", "aria-modal": "true", "aria-label": "Google Pay (sandbox)", "data-plog-sandbox-sheet": "" },
      "all:revert;position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,0.5);display:flex;align-items:flex-end;justify-content:center;font-family:system-ui,sans-serif");
    var box = el("div", {}, "all:revert;background:#fff;color:#1f2328;padding:1.5em;border-radius:12px 12px 0 0;width:100%;max-width:26em");
    box.appendChild(el("p", { "data-plog-sandbox-amount": "" }, "all:revert;margin:0 0 0.5em;font-size:1.25em;font-weight:700")).textContent = amount;
    if (this.options.emailRequired) {
      box.appendChild(el("p", { "data-plog-sandbox-email": "" }, "all:revert;margin:0 0 1em")).textContent = email;
    }
    var pay = el("button", { type: "button", "data-plog-sandbox-pay": "" }, "all:revert;margin:0 0.5em 0 0;padding:0.5em 1.5em");
    pay.textContent = "Pay";
    var cancel = el("button", { type: "button" }, "all:revert;padding:0.5em 1.5em");
    cancel.textContent = "Cancel";
    var message = el("p", { role: "alert" }, "all:revert;margin:0.75em 0 0;color:#b3261e");
    box.appendChild(pay); box.appendChild(cancel); box.appendChild(message);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
    this.sheet = overlay;
    pay.focus();
    cancel.addEventListener("click", function () {
      self._closeSheet();
      self._emit("cancel", { elementType: "expressCheckout" });
    });
    // Every press of Pay is a confirm event, as a wallet that was pressed twice would send.
    pay.addEventListener("click", function () {
      self.approved = true;
      var details = { name: "Sandbox Reader", address: { line1: "1-1", line2: null, city: "Tokyo", state: "", postal_code: "100-0001", country: "JP" } };
      if (self.options.emailRequired) details.email = email;
      self._emit("confirm", {
        expressPaymentType: "google_pay",
        billingDetails: details,
        paymentFailed: function (payload) {
          message.textContent = (payload && payload.message) || "The payment failed.";
          setTimeout(function () { self._closeSheet(); }, 0);
        },
      });
    });
  };

  ExpressCheckoutElement.prototype._closeSheet = function () {
    if (this.sheet && this.sheet.parentNode) this.sheet.parentNode.removeChild(this.sheet);
    this.sheet = null;
    this.approved = false;
  };

  ExpressCheckoutElement.prototype.unmount = function () {
    this._closeSheet();
    if (this.container && this.container.parentNode) this.container.parentNode.removeChild(this.container);
    this.container = null;
  };
  ExpressCheckoutElement.prototype.destroy = function () {
    this.unmount();
    this.handlers = {};
    this.destroyed = true;
    this.group.express = null;
  };

  StripeDouble.prototype.elements = function (options) {
    return new ElementsGroup(this, options);
  };

  /** Pays the intent with the wallet the sheet approved (its test card), as Stripe.js would. */
  StripeDouble.prototype.confirmPayment = function (options) {
    options = options || {};
    var group = options.elements;
    var clientSecret = options.clientSecret;
    if (!(group instanceof ElementsGroup) || group.stripe !== this) {
      throw IntegrationError("Invalid value for confirmPayment: elements should be an Elements group created by this Stripe instance.");
    }
    if (typeof clientSecret !== "string" || !/^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/.test(clientSecret)) {
      throw IntegrationError("Invalid value for confirmPayment: clientSecret should be a client_secret string.");
    }
    if (options.redirect !== "if_required" && !(options.confirmParams && options.confirmParams.return_url)) {
      throw IntegrationError("stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: 'if_required'`");
    }
    if (!group.submitted) throw IntegrationError("elements.submit() must be called before stripe.confirmPayment().");
    var express = group.express;
    if (!express || !express.approved) {
      return Promise.resolve({ error: { type: "validation_error", message: "The payment details are incomplete." } });
    }
    var behaviour = express.behaviour;
    group.submitted = false;
    return post("/sandbox/confirm", { client_secret: clientSecret, stripe_account: this.stripeAccount, card: WALLET_CARDS[behaviour === "fail" ? "fail" : "pay"] })
      .then(function (answer) {
        if (!answer.error) express._closeSheet();
        if (behaviour === "lose" && !answer.error) {
          // The payment went through; its answer never reached the page.
          return { error: { type: "api_connection_error", message: "We could not reach Stripe. Check your connection and try again." } };
        }
        return answer;
      });
  };

  StripeDouble.prototype.confirmCardPayment = function (clientSecret, data) {
    // Misuse throws, as in Stripe.js; it does not reject.
    if (typeof clientSecret !== "string" || !/^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/.test(clientSecret)) {
      throw IntegrationError("Invalid value for confirmCardPayment intent secret: value should be a client_secret string.");
    }
    var card = data && data.payment_method && data.payment_method.card;
    if (!(card instanceof CardElement)) throw IntegrationError("confirmCardPayment needs {payment_method: {card}}.");
    if (card.destroyed) throw IntegrationError("This Element has already been destroyed. Please create a new one.");
    var state = card._state(true);
    if (!state.complete) {
      card._emit(true);
      return Promise.resolve({ error: state.error });
    }
    var account = this.stripeAccount;
    return post("/sandbox/confirm", { client_secret: clientSecret, stripe_account: account, card: state.card }).then(function (answer) {
      if (answer.error || !answer.paymentIntent || answer.paymentIntent.status !== "requires_action") return answer;
      return authenticationStep().then(function (success) {
        return post("/sandbox/authenticate", { client_secret: clientSecret, stripe_account: account, success: success });
      });
    });
  };

  /** For tests: how many card Elements were destroyed on this page. */
  StripeDouble.destroyedElements = function () { return destroyedElements; };

  window.Stripe = StripeDouble;
})();
