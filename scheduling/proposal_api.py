"""Staff API of the schedule optimiser: /api/v1/proposals/.

POST asks for a proposal (202: it is solved on the optimiser's worker queue; poll it for `status` and
`progress`); GET shows it: the figures before and after, the proven bound, the moves, and
`picture/` the SVG of the curves; POST `{id}/apply/` applies it (409 `day_changed` when the day has
changed since, `apply_blocked` when the calendar refuses a move: nothing is moved then).
Managers and schedulers only: the same permission as moving a booking.
"""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.audit import bind_actor
from scheduling import access, proposals
from scheduling.models import Proposal, Site
from scheduling.proposal_models import MAX_DAYS, MAX_TIME_LIMIT
from scheduling.proposal_views import proposal_picture


class MayOptimise(permissions.BasePermission):
    def has_permission(self, request, view):
        return access.may_optimise(request.user)


class ProposalSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    applied_by = serializers.CharField(source="applied_by.username", read_only=True, default=None)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "site",
            "site_name",
            "first_day",
            "days",
            "time_limit_seconds",
            "status",
            "phase",
            "progress",
            "requested_by",
            "requested_at",
            "solved_at",
            "applied_by",
            "applied_at",
            "error_code",
            "error_detail",
            "result",
        ]
        read_only_fields = fields


class ProposalRequestSerializer(serializers.Serializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    first_day = serializers.DateField(help_text="The first local day to level.")
    days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, default=1, help_text="1 (a day) to 7 (a week)."
    )
    time_limit_seconds = serializers.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT, default=20)


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Optimiser proposals for a site's day or week."""

    serializer_class = ProposalSerializer
    permission_classes = [MayOptimise]
    filterset_fields = ["site", "status", "first_day"]
    ordering_fields = ["requested_at"]
    lookup_value_regex = r"\d+"
    queryset = Proposal.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return Proposal.objects.filter(site__in=access.access_sites(self.request.user)).select_related(
            "site", "requested_by", "applied_by"
        )

    @extend_schema(request=ProposalRequestSerializer, responses={202: ProposalSerializer})
    def create(self, request, *args, **kwargs):
        form = ProposalRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        proposal = proposals.proposal_request(
            site=data["site"],
            first_day=data["first_day"],
            days=data["days"],
            time_limit_seconds=data["time_limit_seconds"],
            by=request.user,
        )
        return Response(self.get_serializer(proposal).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={
            200: ProposalSerializer,
            409: OpenApiResponse(
                description="day_changed, apply_blocked, proposal_not_ready, proposal_applied"
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        proposal = self.get_object()
        bind_actor(request.user)
        proposal = proposals.proposal_apply(proposal=proposal, by=request.user)
        return Response(self.get_serializer(proposal).data)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiResponse(description="The curves as SVG.")})
    @action(detail=True, methods=["get"])
    def picture(self, request, pk=None):
        proposal = self.get_object()
        svg = proposal_picture(proposal)
        if svg is None:
            return Response(
                {
                    "code": "no_picture",
                    "detail": f"Proposal #{proposal.pk} has no result yet ({proposal.status}).",
                },
                status=status.HTTP_409_CONFLICT,
            )
        return HttpResponse(svg, content_type="image/svg+xml")
