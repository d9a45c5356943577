"""The API's JSON parser: DRF's, with a nesting limit, so a hostile body is a 400 and never a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request body of this API nests deeper than a few levels; 32 leaves room for any honest client.
MAX_JSON_DEPTH = 32


def json_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class TooDeep(ParseError):
    default_code = "json_too_deep"
    default_detail = f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels."


class JSONParser(parsers.JSONParser):
    """Refuses bodies nested deeper than MAX_JSON_DEPTH with 400 `json_too_deep`.

    Raises TooDeep (400 json_too_deep) or ParseError (400 parse_error) for a body that is not JSON.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Python's decoder gives up on very deep nesting (100,000 levels) with RecursionError.
            raise TooDeep() from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise TooDeep()
        return data
