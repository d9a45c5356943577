"""Staff's side of the waitlist: entries (added from an order or the patient page, withdrawn here), and
read-only records of what was offered, to whom, when, and the answer. Times in the site's zone."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from clinic.audit import AuditedAdminMixin
from clinic.errors import Conflict
from infusions.models import OrderStatus, TreatmentOrder
from patients.admin_panels import register_patient_panel
from scheduling.admin import local_label
from scheduling.board_hooks import register_booking_page_links
from scheduling.models import ChairKind
from waitlist import selectors, services
from waitlist.models import EntryStatus, FreedSlot, Offer, PartOfDay, Via, WaitlistEntry

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class EntryForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: any day.",
    )
    chair_kind = forms.ChoiceField(choices=[("", "Any chair"), *ChairKind.choices], required=False)

    class Meta:
        model = WaitlistEntry
        fields = ["order", "earliest", "latest", "part_of_day", "weekdays", "chair_kind"]

    request_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "order" in self.fields:
            self.fields["order"].queryset = TreatmentOrder.objects.filter(status=OrderStatus.ACTIVE)

    def clean(self):
        """Make the entry through its service (inside the admin's transaction), so its checks show on
        the form: a split-day order, a reversed window, an order already waiting."""
        data = super().clean()
        if self.errors or self.instance.pk is not None:
            return data
        try:
            self.entry = services.entry_create(
                order=data["order"],
                earliest=data["earliest"],
                latest=data.get("latest"),
                part_of_day=data.get("part_of_day") or PartOfDay.ANY,
                weekdays=data.get("weekdays") or [],
                chair_kind=data.get("chair_kind") or "",
                via=Via.STAFF,
                by=self.request_user,
            )
        except Conflict as exc:
            raise ValidationError(exc.detail, code=exc.code) from exc
        return data

    def _post_clean(self):
        # The model instance is not built from the form: the service made the entry.
        pass


class OfferInline(admin.TabularInline):
    model = Offer
    fk_name = "entry"
    extra = 0
    can_delete = False
    fields = ["slot_link", "rank", "sent", "expires", "status", "answered", "answer_detail"]
    readonly_fields = fields
    verbose_name_plural = "offers made to this entry"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("slot__site", "slot__chair")

    @admin.display(description="Chair time offered")
    def slot_link(self, offer):
        return _slot_link(offer.slot)

    @admin.display(description="Sent (or due)")
    def sent(self, offer):
        return local_label(offer.send_at, offer.slot.site)

    @admin.display(description="Expires")
    def expires(self, offer):
        return local_label(offer.expires_at, offer.slot.site)

    @admin.display(description="Answered")
    def answered(self, offer):
        return local_label(offer.answered_at, offer.slot.site)


def _slot_link(slot: FreedSlot) -> str:
    return format_html(
        '<a href="{}">{} in {}</a>',
        reverse("admin:waitlist_freedslot_change", args=[slot.pk]),
        local_label(slot.start, slot.site),
        slot.chair.name,
    )


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = EntryForm
    list_display = ["pk", "patient", "order", "window", "part_of_day", "status", "via", "created_at"]
    list_filter = ["status", "via"]
    search_fields = ["patient__mrn", "patient__family_name"]
    list_select_related = ["patient", "order__product"]
    autocomplete_fields = ["order"]
    inlines = [OfferInline]
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "order",
            "patient",
            "earliest",
            "latest",
            "part_of_day",
            "weekdays",
            "chair_kind",
            "status",
            "via",
            "created_by",
            "created_at",
            "closed_at",
            "closed_reason",
        ]

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def get_fields(self, request, obj=None):
        return EntryForm.Meta.fields if obj is None else self.get_readonly_fields(request, obj)

    @admin.display(description="Days")
    def window(self, entry):
        return (
            f"{entry.earliest:%d %b %Y} to {entry.latest:%d %b %Y}"
            if entry.latest
            else f"from {entry.earliest:%d %b %Y}"
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        # The entry was made by the service when the form was cleaned (EntryForm.clean).
        if not change:
            obj.__dict__.update(form.entry.__dict__)

    @admin.action(description="Take the selected entries off the waitlist")
    def withdraw(self, request, queryset):
        done = sum(
            services.entry_withdraw(entry=e, reason=f"withdrawn by {request.user.get_username()}")
            for e in queryset
        )
        self.message_user(request, f"{done} entr{'y' if done == 1 else 'ies'} taken off the waitlist.")


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SlotOfferInline(OfferInline):
    fk_name = "slot"
    fields = ["entry_link", "rank", "sent", "expires", "status", "answered", "answer_detail", "booking"]
    readonly_fields = fields
    verbose_name_plural = "offers of this time: to whom, when, and the answer"

    def get_queryset(self, request):
        return Offer.objects.select_related("slot__site", "entry__patient", "booking").order_by("rank", "pk")

    @admin.display(description="Patient")
    def entry_link(self, offer):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:waitlist_waitlistentry_change", args=[offer.entry_id]),
            offer.entry.patient,
        )


@admin.register(FreedSlot)
class FreedSlotAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "local_start",
        "chair",
        "site",
        "freed_by",
        "freed_booking",
        "status",
        "offers_made",
    ]
    list_filter = ["status", "site"]
    list_select_related = ["site", "chair", "freed_booking"]
    fields = [
        "site",
        "chair",
        "local_start",
        "local_end",
        "freed_by",
        "freed_booking",
        "freed_at_local",
        "status",
        "taken_offer",
        "taken_at_local",
    ]
    readonly_fields = fields
    inlines = [SlotOfferInline]

    def get_queryset(self, request):
        return selectors.freed_slot_list()

    @admin.display(description="Start", ordering="start")
    def local_start(self, slot):
        return local_label(slot.start, slot.site)

    @admin.display(description="End")
    def local_end(self, slot):
        return local_label(slot.end, slot.site)

    @admin.display(description="Freed at")
    def freed_at_local(self, slot):
        return local_label(slot.freed_at, slot.site)

    @admin.display(description="Taken at")
    def taken_at_local(self, slot):
        return local_label(slot.taken_at, slot.site)

    @admin.display(description="Offers")
    def offers_made(self, slot):
        return slot.offer_count


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["pk", "patient", "slot_time", "rank", "sent", "expires", "status", "answered"]
    list_filter = ["status"]
    search_fields = ["entry__patient__mrn", "entry__patient__family_name"]
    fields = [
        "entry",
        "slot",
        "rank",
        "offered_at",
        "send_at",
        "expires_at",
        "status",
        "answered_at",
        "answer_detail",
        "booking",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.offer_list()

    @admin.display(description="Patient")
    def patient(self, offer):
        return offer.entry.patient

    @admin.display(description="Chair time", ordering="slot__start")
    def slot_time(self, offer):
        return _slot_link(offer.slot)

    @admin.display(description="Sent (or due)", ordering="send_at")
    def sent(self, offer):
        return local_label(offer.send_at, offer.slot.site)

    @admin.display(description="Expires")
    def expires(self, offer):
        return local_label(offer.expires_at, offer.slot.site)

    @admin.display(description="Answered")
    def answered(self, offer):
        return local_label(offer.answered_at, offer.slot.site)


def patient_panel(request, patient) -> str:
    """The patient page's waitlist panel: the entries with their offers, and a link to put each active
    order without an entry on the waitlist."""
    if request is None or not request.user.has_perm("waitlist.view_waitlistentry"):
        return ""
    entries = list(selectors.entry_list().filter(patient=patient).order_by("-created_at")[:10])
    waiting = {e.order_id for e in entries if e.status == EntryStatus.ACTIVE}
    may_add = request.user.has_perm("waitlist.add_waitlistentry")
    orders = [
        {
            "order": o,
            "url": reverse("admin:waitlist_waitlistentry_add")
            + f"?order={o.pk}&earliest={timezone.now().date():%Y-%m-%d}",
        }
        for o in TreatmentOrder.objects.filter(
            patient=patient, status=OrderStatus.ACTIVE, split_days=1
        ).select_related("product")
        if o.pk not in waiting and may_add
    ]
    rows = [
        {
            "entry": e,
            "url": reverse("admin:waitlist_waitlistentry_change", args=[e.pk]),
            "offers": [
                {
                    "offer": o,
                    "when": local_label(o.slot.start, o.slot.site),
                    "sent": local_label(o.send_at, o.slot.site),
                    "url": reverse("admin:waitlist_offer_change", args=[o.pk]),
                }
                for o in e.offers.all()
            ],
        }
        for e in entries
    ]
    if not rows and not orders:
        return ""
    return render_to_string("admin/waitlist/_patient_waitlist.html", {"rows": rows, "orders": orders})


register_patient_panel("waitlist", patient_panel)


def booking_links(booking) -> list[tuple[str, str]]:
    """The booking page's links to the waitlist: the time it freed, and the offer it was booked from."""
    links = []
    for slot in FreedSlot.objects.filter(freed_booking=booking).order_by("-freed_at")[:3]:
        links.append(
            (
                f"Waitlist: offers of the time it freed ({slot.get_status_display().lower()})",
                reverse("admin:waitlist_freedslot_change", args=[slot.pk]),
            )
        )
    offer = Offer.objects.filter(booking=booking, status="accepted").first()
    if offer is not None:
        links.append(
            ("Waitlist: booked from this offer", reverse("admin:waitlist_offer_change", args=[offer.pk]))
        )
    return links


register_booking_page_links(booking_links)
