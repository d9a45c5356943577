"""A search's answer: a Bundle of type searchset with `self`, `next` and `previous` links.

The links repeat the request's own query with only `_cursor` changed, so a client follows them as
given and keeps its filters. `total` is there when it was cheap or asked for (fhir/search.py).
"""

from django.utils import timezone
from rest_framework.utils.urls import remove_query_param, replace_query_param

from fhir.registry import Page, ResourceType


def base_url(request) -> str:
    return request.build_absolute_uri("/fhir/R4/")


def searchset(request, resource_type: ResourceType, page: Page) -> dict:
    url = request.build_absolute_uri()
    first = remove_query_param(url, "_cursor")
    links = [{"relation": "self", "url": url}]
    if page.next_cursor:
        links.append({"relation": "next", "url": replace_query_param(first, "_cursor", page.next_cursor)})
    if page.previous_cursor:
        links.append(
            {"relation": "previous", "url": replace_query_param(first, "_cursor", page.previous_cursor)}
        )
    base = base_url(request)
    body: dict = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": timezone.now().isoformat(),
    }
    if page.total is not None:
        body["total"] = page.total
    body["link"] = links
    body["entry"] = [
        {
            "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": mode},
        }
        for mode, resources in (("match", page.resources), ("include", page.included))
        for resource in resources
    ]
    return body
