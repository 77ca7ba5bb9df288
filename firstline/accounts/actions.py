"""The typed vocabulary of audit actions: every row accounts.services.audit writes names one
of these (issue 12.3 and 12.7); audit() refuses anything else.

Stored values are the ones the audit log already holds (the auditor's search and CONTRACT.md
rely on them); code names the member, never a free-text string. A new action is a new member
here, with its label in every catalogue."""

from django.db import models
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    RESIDENT_READ_FULL = "resident.read_full", pgettext_lazy(
        "audit action", "Full read of ID number and phone")
    RESIDENT_READ_MASKED = "resident.read_masked", pgettext_lazy(
        "audit action", "Record opened (masked)")
    PHONE_READ = "people.phone_read", pgettext_lazy("audit action",
                                                    "Phone number read")
    TIP_CONTACT_READ = "tip.contact_read", pgettext_lazy("audit action",
                                                         "Tipster's contact read")
    ROSTER_EXPORT = "roster.export", pgettext_lazy("audit action", "Roster export (masked)")
    ROSTER_EXPORT_FULL = "roster.export_full", pgettext_lazy("audit action",
                                                             "Roster export (unmasked)")
    EXPORT_FULL_KEY_PERSONS = "reports.export_full:key-persons", pgettext_lazy(
        "audit action", "Key-person ledger export (unmasked)")
    EXPORT_FULL_ISOLATIONS = "reports.export_full:isolations", pgettext_lazy(
        "audit action", "Isolation ledger export (unmasked)")
    EXPORT_FULL_CROSSINGS = "reports.export_full:crossings", pgettext_lazy(
        "audit action", "Crossings ledger export (unmasked)")
    CHECKLIST_EXPORT = "checklist.export", pgettext_lazy("audit action",
                                                         "Verification list export (核查)")
    RESIDENT_SEARCH_FULL = "resident.search_full", pgettext_lazy(
        "audit action", "Resident search by ID or phone (admin)")

    # people
    RESIDENT_ADD = "resident.add", pgettext_lazy("audit action", "Resident added")
    RESIDENT_MOVE = "resident.move", pgettext_lazy(
        "audit action", "Resident moved to another household")
    RESIDENTS_IMPORT_START = "residents.import.start", pgettext_lazy(
        "audit action", "Roster import started")
    RESIDENTS_IMPORT = "residents.import", pgettext_lazy("audit action", "Roster imported")
    HOUSEHOLD_MERGE_GRIDS = "household.merge_grids", pgettext_lazy(
        "audit action", "Household grids merged")
    RISK_AREA_ADD = "risk_area.add", pgettext_lazy("audit action", "Risk area added")
    RISK_AREA_END = "risk_area.end", pgettext_lazy("audit action", "Risk area ended")
    VISIT_RECORD = "visit.record", pgettext_lazy("audit action", "Screening visit recorded")
    RESPONSIBILITY_SET = "responsibility.set", pgettext_lazy(
        "audit action", "Responsibility set (三级包保)")
    AUDIT_EXPORT = "audit.export", pgettext_lazy("audit action", "Audit log export")

    # accounts
    ACCOUNT_PASSWORD = "account.password", pgettext_lazy("audit action", "Password changed")
    TOKEN_REVOKE = "token.revoke", pgettext_lazy("audit action", "API token revoked")

    # isolation
    ISOLATION_START = "isolation.start", pgettext_lazy("audit action", "Isolation started")
    ISOLATION_EXTEND = "isolation.extend", pgettext_lazy("audit action", "Isolation extended")
    ISOLATION_RELEASE = "isolation.release", pgettext_lazy("audit action", "Isolation released")
    ISOLATION_LINK = "isolation.link", pgettext_lazy("audit action", "Self-report link reissued")
    ISOLATION_LINK_SHOW = "isolation.link_show", pgettext_lazy("audit action",
                                                               "Self-report link shown again")
    ISOLATION_READING = "isolation.reading", pgettext_lazy(
        "audit action", "Isolation reading recorded")
    ALERT_ACKNOWLEDGE = "alert.acknowledge", pgettext_lazy("audit action", "Alert acknowledged")
    ALERT_ASSIGN = "alert.assign", pgettext_lazy("audit action", "Alert assigned")
    ALERT_RESOLVE = "alert.resolve", pgettext_lazy("audit action", "Alert resolved")
    LOCKDOWN_CREATE = "lockdown.create", pgettext_lazy("audit action", "Lockdown started")
    LOCKDOWN_LIFT = "lockdown.lift", pgettext_lazy("audit action", "Lockdown lifted")
    SITE_CREATE = "site.create", pgettext_lazy("audit action", "Quarantine site created")
    SITE_ROOMS = "site.rooms", pgettext_lazy("audit action", "Quarantine rooms added")
    ROOM_ASSIGN = "room.assign", pgettext_lazy("audit action", "Room assigned")
    ROOM_VACATE = "room.vacate", pgettext_lazy("audit action", "Room vacated")
    ROOM_CLEANED = "room.cleaned", pgettext_lazy("audit action", "Room cleaned")
    ROOM_CLOSE = "room.close", pgettext_lazy("audit action", "Room closed")
    ROOM_REOPEN = "room.reopen", pgettext_lazy("audit action", "Room reopened")
    TRANSFER_CREATE = "transfer.create", pgettext_lazy("audit action", "Transfer booked")
    TRANSFER_STATUS = "transfer.status", pgettext_lazy("audit action", "Transfer status changed")

    # access
    ACCESS_POLICY_SET = "access.policy_set", pgettext_lazy("audit action", "Compound policy set")
    ACCESS_CHECKPOINT_CREATE = "access.checkpoint_create", pgettext_lazy(
        "audit action", "Checkpoint created")
    ACCESS_CHECKPOINT_OPEN = "access.checkpoint_open", pgettext_lazy(
        "audit action", "Checkpoint opened")
    ACCESS_CHECKPOINT_CLOSE = "access.checkpoint_close", pgettext_lazy(
        "audit action", "Checkpoint closed")
    ACCESS_PASS_ISSUE = "access.pass_issue", pgettext_lazy("audit action", "Pass issued")
    ACCESS_PASS_REVOKE = "access.pass_revoke", pgettext_lazy("audit action", "Pass revoked")
    ACCESS_OFFLINE_REVIEW = "access.offline_review", pgettext_lazy(
        "audit action", "Offline gate verdict reviewed")
    ACCESS_VISITOR_ADMIT = "access.visitor_admit", pgettext_lazy("audit action", "Visitor admitted")
    ACCESS_VISITOR_TURN_BACK = "access.visitor_turn_back", pgettext_lazy(
        "audit action", "Visitor turned back")
    ACCESS_VEHICLE_ADMIT = "access.vehicle_admit", pgettext_lazy("audit action", "Vehicle admitted")
    ACCESS_VEHICLE_TURN_BACK = "access.vehicle_turn_back", pgettext_lazy(
        "audit action", "Vehicle turned back")
    ACCESS_COURIER_ADMIT = "access.courier_admit", pgettext_lazy("audit action", "Courier admitted")
    ACCESS_COURIER_TURN_BACK = "access.courier_turn_back", pgettext_lazy(
        "audit action", "Courier turned back")
    ACCESS_DEIDENTIFY = "access.deidentify", pgettext_lazy(
        "audit action", "Gate visits de-identified")
    ACCESS_SHIFTS_PLAN = "access.shifts_plan", pgettext_lazy("audit action", "Shifts planned")
    ACCESS_SHIFT_CREATE = "access.shift_create", pgettext_lazy("audit action", "Shift created")
    ACCESS_SHIFT_CHECK_IN = "access.shift_check_in", pgettext_lazy("audit action", "Shift check-in")
    ACCESS_SHIFT_CHECK_OUT = "access.shift_check_out", pgettext_lazy(
        "audit action", "Shift check-out")
    ACCESS_SHIFT_NAME = "access.shift_name", pgettext_lazy("audit action", "Person on shift named")
    ACCESS_SHIFT_ATTENDANCE = "access.shift_attendance", pgettext_lazy(
        "audit action", "Shift attendance recorded")

    # assistance
    ASSISTANCE_REQUEST_CREATE = "assistance.request_create", pgettext_lazy(
        "audit action", "Help request created")
    ASSISTANCE_REQUEST_ASSIGN = "assistance.request_assign", pgettext_lazy(
        "audit action", "Help request assigned")
    ASSISTANCE_REQUEST_BOUGHT = "assistance.request_bought", pgettext_lazy(
        "audit action", "Help request bought / done")
    ASSISTANCE_REQUEST_DELIVERED = "assistance.request_delivered", pgettext_lazy(
        "audit action", "Help request delivered")
    ASSISTANCE_REQUEST_CANCELLED = "assistance.request_cancelled", pgettext_lazy(
        "audit action", "Help request cancelled")
    ASSISTANCE_REQUEST_PAID_BACK = "assistance.request_paid_back", pgettext_lazy(
        "audit action", "Help request paid back")
    ASSISTANCE_PACKAGE_KIND_CREATE = "assistance.package_kind_create", pgettext_lazy(
        "audit action", "Care package kind created")
    ASSISTANCE_STOCK_RECEIVE = "assistance.stock_receive", pgettext_lazy(
        "audit action", "Care package stock received")
    ASSISTANCE_PACKAGE_ISSUE = "assistance.package_issue", pgettext_lazy(
        "audit action", "Care package issued")
    ASSISTANCE_CARE_CALL = "assistance.care_call", pgettext_lazy(
        "audit action", "Care call recorded")
    ASSISTANCE_DEIDENTIFY = "assistance.deidentify", pgettext_lazy(
        "audit action", "Help records de-identified")

    # operations
    OPERATIONS_VOLUNTEER_CREATE = "operations.volunteer_create", pgettext_lazy(
        "audit action", "Volunteer registered")
    OPERATIONS_VOLUNTEER_CONFIRM = "operations.volunteer_confirm", pgettext_lazy(
        "audit action", "Volunteer confirmed")
    OPERATIONS_VOLUNTEER_LOGIN = "operations.volunteer_login", pgettext_lazy(
        "audit action", "Volunteer account created")
    OPERATIONS_ASSIGNMENT_CREATE = "operations.assignment_create", pgettext_lazy(
        "audit action", "Volunteer assigned")
    OPERATIONS_PLACE_CREATE = "operations.place_create", pgettext_lazy(
        "audit action", "Disinfection place created")
    OPERATIONS_ROUND_RECORD = "operations.round_record", pgettext_lazy(
        "audit action", "Disinfection round recorded")
    OPERATIONS_ITEM_CREATE = "operations.item_create", pgettext_lazy(
        "audit action", "Supply item created")
    OPERATIONS_STORE_CREATE = "operations.store_create", pgettext_lazy(
        "audit action", "Supply store created")
    OPERATIONS_DONATION_RECORD = "operations.donation_record", pgettext_lazy(
        "audit action", "Donation recorded")
    OPERATIONS_WORKING_GROUP_CREATE = "operations.working_group_create", pgettext_lazy(
        "audit action", "Working group created")
    OPERATIONS_TASK_SEND = "operations.task_send", pgettext_lazy("audit action", "HQ task sent")
    OPERATIONS_TASK_DONE = "operations.task_done", pgettext_lazy("audit action", "HQ task done")
    OPERATIONS_TASK_FILE = "operations.task_file", pgettext_lazy(
        "audit action", "File attached to an HQ task")

    # residents
    DECLARATION_CONFIRM = "declaration.confirm", pgettext_lazy(
        "audit action", "Return declaration confirmed")
    TIP_CREATE = "tip.create", pgettext_lazy("audit action", "Tip-off received")
    TIP_VERIFY = "tip.verify", pgettext_lazy("audit action", "Tip-off verified")
    TIP_REWARD_ISSUE = "tip.reward_issue", pgettext_lazy("audit action", "Tip-off reward issued")
    NOTICE_PUBLISH = "notice.publish", pgettext_lazy("audit action", "Notice published")
    NOTICE_ATTACH = "notice.attach", pgettext_lazy("audit action", "File attached to a notice")
    RESIDENTS_DEIDENTIFY = "residents.deidentify", pgettext_lazy(
        "audit action", "Declarations and tip-offs de-identified")

    # lists
    CHECKLIST_IMPORT = "checklist.import", pgettext_lazy(
        "audit action", "Verification list imported (核查)")
    CHECKLIST_ROUTE = "checklist.route", pgettext_lazy("audit action", "Verification list routed")
    CHECKLIST_HANDOVER_EXPORT = "checklist.handover_export", pgettext_lazy(
        "audit action", "Verification handover export")
    VERIFICATION_ANSWER = "verification.answer", pgettext_lazy(
        "audit action", "Verification answered")
    CASE_RECORD = "case.record", pgettext_lazy("audit action", "Case recorded")
    CASE_STATUS = "case.status", pgettext_lazy("audit action", "Case status changed")
    TEST_RECORD = "test.record", pgettext_lazy("audit action", "Test result recorded")

    # reports
    REPORT_SUBMIT = "report.submit", pgettext_lazy("audit action", "Daily report submitted")
    REPORT_RESUBMIT = "report.resubmit", pgettext_lazy("audit action", "Daily report resubmitted")
    REPORT_CHASE = "report.chase", pgettext_lazy("audit action", "Daily report chased")


# The actions that hand out a full ID number or phone of one resident (people.services.pii_read).
PII_READ_ACTIONS = (AuditAction.RESIDENT_READ_FULL, AuditAction.PHONE_READ)

# What the personal-data audit page (/people/audit/) is for, and what its action filter offers:
# every read and export of personal data, and what is recorded about a resident's record.
PERSONAL_DATA_ACTIONS = (
    AuditAction.RESIDENT_READ_FULL, AuditAction.RESIDENT_READ_MASKED, AuditAction.PHONE_READ,
    AuditAction.RESIDENT_SEARCH_FULL, AuditAction.TIP_CONTACT_READ,
    AuditAction.ROSTER_EXPORT, AuditAction.ROSTER_EXPORT_FULL,
    AuditAction.EXPORT_FULL_KEY_PERSONS, AuditAction.EXPORT_FULL_ISOLATIONS,
    AuditAction.EXPORT_FULL_CROSSINGS, AuditAction.CHECKLIST_EXPORT,
    AuditAction.CHECKLIST_HANDOVER_EXPORT,
    AuditAction.RESIDENT_ADD, AuditAction.RESIDENT_MOVE, AuditAction.RESPONSIBILITY_SET,
)
