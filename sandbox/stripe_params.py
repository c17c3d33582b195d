"""Stripe's own parameter lists, walked to the leaf: is a request's parameter one the official SDK
defines, at every level of nesting, and is its value one the SDK allows?

stripe-python types every endpoint's parameters as nested `TypedDict`s
(`stripe.params.AccountCreateParams` → `controller` → `AccountCreateParamsController` → `fees` →
`payer: Literal["account", "application", …]`). The gateway (sandbox/stripe_gateway.py) refuses a
request whose form names a parameter the SDK does not define — `controller[fees][payr]` as well as
`payr` — or gives a closed enum a value the SDK does not list, as Stripe refuses it. The API suite
holds plog's forms against the same walk (api/tests/api/stripe_artifacts.rs).
"""

import re
import sys
import typing

import stripe.params
import typing_extensions
from stripe._request_options import RequestOptions

# Request options the SDK types list beside the parameters; they are headers, not form fields.
REQUEST_OPTIONS = set(RequestOptions.__annotations__)

ANY = object()  # a type this walk does not follow (an SDK-internal name): anything goes below it


def _resolve(annotation, module):
    """An annotation (maybe a string or a forward reference) as a typing object, or ANY."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        names = {**vars(typing), **vars(typing_extensions), **vars(sys.modules[module])}
        try:
            annotation = eval(annotation, names)  # noqa: S307 — the SDK's own type expressions
        except Exception:
            return ANY
    return annotation


def _fields(klass):
    """A TypedDict's field names → annotations, its bases' included."""
    fields = {}
    for base in reversed(klass.__mro__):
        for name, annotation in getattr(base, "__annotations__", {}).items():
            fields[name] = (annotation, base.__module__)
    return fields


def _alternatives(annotation, module):
    """The types a field may hold: `NotRequired`, `Optional` and unions unwrapped."""
    annotation = _resolve(annotation, module)
    if annotation is ANY:
        return [ANY]
    origin = typing_extensions.get_origin(annotation)
    if origin in (typing_extensions.NotRequired, typing_extensions.Required):
        return _alternatives(typing_extensions.get_args(annotation)[0], module)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        found = []
        for arg in typing_extensions.get_args(annotation):
            found += _alternatives(arg, module)
        return found
    return [annotation]


def _is_typed_dict(annotation):
    return isinstance(annotation, type) and typing_extensions.is_typeddict(annotation)


def _name(segments):
    """`["controller", "fees", "payer"]` → `controller[fees][payer]`."""
    return segments[0] + "".join(f"[{s}]" for s in segments[1:])


def _check(alternatives, path, value, seen):
    """None if `value` at `path` fits one of `alternatives` (`seen`: the segments above them);
    else Stripe's refusal (message, param). Stripe names an unknown parameter down to the first
    unknown segment: `payment_method_types`, `controller[fees][payr]`."""
    shown = _name(seen + path)
    if any(a is ANY or a is typing.Any for a in alternatives):
        return None
    if not path:
        literals = [a for a in alternatives if typing_extensions.get_origin(a) is typing_extensions.Literal]
        if literals and all(typing_extensions.get_origin(a) is typing_extensions.Literal for a in alternatives):
            allowed = [str(v) for a in literals for v in typing_extensions.get_args(a)]
            if value not in allowed:
                return (f"Invalid {shown}: must be one of {', '.join(allowed)}", shown)
        return None
    head, rest = path[0], path[1:]
    unknown = _name(seen + [head])
    refusal = (f"Received unknown parameter: {unknown}", unknown)
    for alternative in alternatives:
        origin = typing_extensions.get_origin(alternative)
        if _is_typed_dict(alternative):
            fields = _fields(alternative)
            if head in fields:
                annotation, module = fields[head]
                return _check(_alternatives(annotation, module), rest, value, seen + [head])
        elif origin in (list, typing.List) and (head == "" or head.isdigit()):
            (item,) = typing_extensions.get_args(alternative) or (ANY,)
            return _check(_alternatives(item, alternative.__module__), rest, value, seen + [head])
        elif origin in (dict, typing.Dict) or getattr(alternative, "__name__", "") == "UntypedStripeObject" \
                or getattr(origin, "__name__", "") == "UntypedStripeObject":
            return None  # metadata and the like: any key
    return refusal


def check(class_name, pairs):
    """Checks form or query `pairs` (`[("controller[fees][payer]", "account"), …]`) against
    `stripe.params.<class_name>`. None when every parameter is one the SDK defines with a value
    it allows; else `(message, param)` as Stripe words the refusal. Unknown class: None."""
    klass = getattr(stripe.params, class_name, None)
    if klass is None:
        return None
    for name, value in pairs:
        top = name.split("[", 1)[0]
        if top in REQUEST_OPTIONS:
            return (f"Received unknown parameter: {top}", top)
        path = [top] + re.findall(r"\[([^\]]*)\]", name[len(top):])
        refused = _check([klass], path, value, [])
        if refused:
            return refused
    return None


if __name__ == "__main__":
    # `python stripe_params.py` with a JSON list of [class, [[name, value], …]] on stdin prints a
    # JSON list of refusals (null where accepted): the API suite's check of plog's own forms.
    import json

    print(json.dumps([check(klass, pairs) for klass, pairs in json.load(sys.stdin)]))
