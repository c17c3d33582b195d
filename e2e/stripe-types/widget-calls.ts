// Every Stripe.js call, option and result field the widget uses (widget/src/stripe_js.rs and
// widget/src/theme.rs), written against Stripe's own TypeScript definitions of Stripe.js
// (@stripe/stripe-js 5.10, the line that targets https://js.stripe.com/v3/). The artifacts
// test type-checks this file and checks that every name stripe_js.rs and theme.rs hand to
// Stripe.js appears here, so the widget cannot use a name Stripe.js does not define.
import type {
  PaymentIntentResult,
  StripeCardElement,
  StripeCardElementChangeEvent,
  StripeCardElementOptions,
  StripeConstructor,
  StripeConstructorOptions,
} from "@stripe/stripe-js";

declare const Stripe: StripeConstructor;
declare const slot: HTMLElement;

export async function widgetCalls(publishableKey: string, clientSecret: string): Promise<string | undefined> {
  // stripe_js::stripe: Stripe(publishable_key, {locale})
  const constructorOptions: StripeConstructorOptions = { locale: "ja" };
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
