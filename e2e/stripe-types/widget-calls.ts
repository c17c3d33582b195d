// Every Stripe.js call, option and result field the widget uses (widget/src/stripe_js.rs and
// widget/src/theme.rs), written against Stripe's own TypeScript definitions of Stripe.js
// (@stripe/stripe-js 10.x, whose RELEASE_TRAIN is endive: the Stripe.js release plog loads,
// named like its pinned API version, api/src/stripe/mod.rs). The artifacts
// test type-checks this file and checks that every name stripe_js.rs and theme.rs hand to
// Stripe.js appears here, so the widget cannot use a name Stripe.js does not define.
import type {
  AvailablePaymentMethods,
  PaymentIntentResult,
  StripeElementsOptionsMode,
  StripeExpressCheckoutElement,
  StripeExpressCheckoutElementConfirmEvent,
  StripeExpressCheckoutElementOptions,
  StripeExpressCheckoutElementReadyEvent,
  StripeCardElement,
  StripeCardElementChangeEvent,
  StripeCardElementOptions,
  StripeConstructor,
  StripeConstructorOptions,
} from "@stripe/stripe-js";

declare const Stripe: StripeConstructor;
declare const slot: HTMLElement;
declare const walletSlot: HTMLElement;

export async function widgetCalls(publishableKey: string, clientSecret: string): Promise<string | undefined> {
  // stripe_js::stripe: Stripe(publishable_key, {locale, stripeAccount}): on a plog for many
  // creators, the creator's connected account, where the PaymentIntent lives.
  const constructorOptions: StripeConstructorOptions = { locale: "ja", stripeAccount: "acct_1Creator" };
  const stripe = Stripe(publishableKey, constructorOptions);

  // theme::card_options
  const options: StripeCardElementOptions = {
    hidePostalCode: true,
    style: {
      base: { color: "#1f2328", fontFamily: "system-ui, sans-serif", fontSize: "16px", "::placeholder": { color: "#57606a" } },
      invalid: { color: "#b3261e", iconColor: "#b3261e" },
    },
  };
  // stripe_js::create_card: stripe.elements().create('card', options)
  const card: StripeCardElement = stripe.elements().create("card", options);
  card.mount(slot);
  // CardElement::on_change reads event.error.message and event.complete
  card.on("change", (event: StripeCardElementChangeEvent) => {
    const message: string | undefined = event.error?.message;
    const complete: boolean = event.complete;
    return [message, complete];
  });
  card.focus();

  // stripe_js::confirm_card_payment: confirmCardPayment(clientSecret, {payment_method: {card}})
  const result: PaymentIntentResult = await stripe.confirmCardPayment(clientSecret, { payment_method: { card } });
  let status: string | undefined;
  if (result.error) {
    // error.message, error.code, and error.payment_intent.status (payment_intent_unexpected_state)
    const { message, code } = result.error;
    status = result.error.payment_intent?.status;
    void [message, code];
  } else {
    status = result.paymentIntent.status;
  }
  // release: the Element is destroyed when the form closes
  card.destroy();
  return status;
}

export async function walletCalls(publishableKey: string, clientSecret: string, pageUrl: string): Promise<string | undefined> {
  const stripe = Stripe(publishableKey, { locale: "en" });
  // stripe_js::wallet_elements: a deferred-intent group priced as the Pay button says, allowing
  // what the server's PaymentIntent allows (plog_shared::PAYMENT_METHOD_TYPES)
  const groupOptions: StripeElementsOptionsMode = {
    mode: "payment",
    amount: 480,
    currency: "jpy",
    allowedPaymentMethodTypes: ["card", "link"],
  };
  const elements = stripe.elements(groupOptions);
  // theme::wallet_options
  const buttonOptions: StripeExpressCheckoutElementOptions = {
    buttonHeight: 44,
    buttonTheme: { applePay: "black", googlePay: "white" },
    emailRequired: true,
  };
  // WalletElements::create_buttons: elements.create('expressCheckout', options)
  const buttons: StripeExpressCheckoutElement = elements.create("expressCheckout", buttonOptions);
  buttons.mount(walletSlot);
  // WalletButtons::on_ready reads event.availablePaymentMethods (undefined: no wallet)
  buttons.on("ready", (event: StripeExpressCheckoutElementReadyEvent) => {
    const offered: AvailablePaymentMethods | undefined = event.availablePaymentMethods;
    return offered;
  });
  let status: string | undefined;
  // WalletButtons::on_confirm: WalletConfirm reads billingDetails.email, calls paymentFailed
  buttons.on("confirm", async (event: StripeExpressCheckoutElementConfirmEvent) => {
    const email: string | undefined = event.billingDetails?.email;
    void email;
    // WalletElements::submit: elements.submit() → {error?: {message}}
    const submitted = await elements.submit();
    if (submitted.error) {
      event.paymentFailed({ reason: "fail", message: submitted.error.message });
      return;
    }
    // stripe_js::confirm_payment: confirmPayment({elements, clientSecret, confirmParams: {return_url}, redirect})
    const result: PaymentIntentResult = await stripe.confirmPayment({
      elements,
      clientSecret,
      confirmParams: { return_url: pageUrl },
      redirect: "if_required",
    });
    status = result.error ? result.error.payment_intent?.status : result.paymentIntent.status;
  });
  // release: the buttons are destroyed when the form closes
  buttons.destroy();
  return status;
}
