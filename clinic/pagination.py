from rest_framework import pagination
from rest_framework.exceptions import ErrorDetail, ValidationError


class Pagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (capped at max_page_size). A page_size that is not a positive whole
    number is a 400 `page_size_invalid`, not silently the default: the client would miss rows."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            try:
                size = pagination._positive_int(raw, strict=True)
            except ValueError:
                raise ValidationError(
                    {
                        self.page_size_query_param: [
                            ErrorDetail("page_size must be a whole number from 1.", code="page_size_invalid")
                        ]
                    }
                ) from None
            return min(size, self.max_page_size)
        return self.page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Rows per page, 1 or more; more than {self.max_page_size} gives {self.max_page_size}."
                )
        return parameters
