
# The console of customs staff. Every message here is in ru-console.ftl too (a test checks).

## Spans of time
span-hours = { $h } h { $m } min
span-minutes = { $m } min

## The dashboard
dash-title = Dashboard
dash-hours-label = Declarations registered per hour over { $hours } hours, at most { $most } in one hour
dash-lanes-label = Share of each lane: { $shares }
dash-period = From { $from } to { $to } UTC:
dash-registered = declarations registered,
dash-automatic = released automatically;
dash-collected = collected.
dash-hours = Hours
dash-per-hour = Declarations per hour
dash-legend = Light: registered; dark: released automatically.
dash-figures = The figures
dash-col-hour = Hour (UTC)
dash-col-registered = Registered
dash-col-automatic = Released automatically
dash-lanes = Lanes
dash-col-share = Share
dash-queues = Queues
dash-col-waiting = Waiting
dash-col-oldest = Oldest waits
dash-for-officer = for an officer
dash-for-payment = for payment
dash-hours-of = { $hours } h

## The work queue
queue-left = { $time } left
queue-overdue = overdue by { $time }
queue-yours = Your cases.
queue-show-all = Show every case under control
queue-all = Every case under control.
queue-show-mine = Show only yours
queue-count = { $count ->
    [one] { $count } declaration
   *[other] { $count } declarations
} under control. A document check is due within 4 hours of going under control, an inspection within 24; overdue cases come first, then red, then the longest waiting.
queue-col-centre = Centre
queue-col-since = Waiting since (UTC)
queue-col-clock = Service clock
queue-col-score = Model score
queue-random = (random)

## The declaration centres
centres-title = Declaration centres
centres-cases = Cases under control
centres-no-cases = No case is under control.
centres-col-open = Open cases
centres-col-since = Oldest waiting since (UTC)
centres-not-dispatched = not yet dispatched
centres-for-supervisor = none: for the supervisor
centres-inspectors = Inspectors
centres-col-competences = Competences
centres-col-leave = Leave
centres-open-ended = open
centres-rules = Dispatch rules
centres-no-rules = No rules yet: no case is dispatched until an administrator writes them.
centres-version = Version { $version } by { $author }, { $at } UTC. The first rule that takes a case wins; the others go to
centres-col-rule = Rule
centres-col-codes = Commodity codes
centres-col-transport = Transport
centres-col-offices = Offices
centres-col-regions = Regions
centres-col-required = Competences required
centres-office = office { $office }

## The risk model
models-promoted = put in force
models-kept = kept, not put in force
models-trained = Version { $version } trained on { $outcomes } outcomes: { $verdict } — { $reason }
models-title = Risk model and profiles
models-versions = Model versions
models-none = No model trained yet: the risk engine works with the profiles alone.
models-col-version = Version
models-col-trained = Trained (UTC)
models-col-in-force = In force
models-col-precision = Precision at 10 %
models-col-recall = Recall at 10 %
models-col-why = Why
models-in-force = in force
models-was-in-force = was in force
models-not-promoted = not promoted
models-retrain = Retrain now
models-effectiveness = Profile effectiveness (last year)
models-no-outcomes = No control outcomes yet.
models-col-hits = Hits
models-col-controlled = Controlled
models-col-confirmed = Confirmed
models-col-hit-rate = Hit rate
models-col-recovered = Recovered
models-col-proposal = Proposal
models-edit-profiles = Edit risk profiles

## The risk profiles
prof-col-author = Author
prof-edit-label = Edit { $code }
prof-edit = Edit
prof-new = Write a new profile
prof-editor = Editor
prof-saved = Saved as version { $version }; in force for declarations from now on.
prof-preview-of = Preview of
prof-preview-days = on the last { $days } days
prof-fires-on = It fires on
prof-of-declarations = of { $count } declarations;
prof-would-change = would change lane (the other profiles, the model and the random share as in force).
prof-green = Green
prof-blue = Blue
prof-yellow = Yellow
prof-red = Red
prof-caught = Irregular caught
prof-missed = Irregular missed
prof-as-decided = As decided
prof-with-text = With this text
prof-text = Profile text
prof-days = Preview on the last … days (1 to { $max })
prof-preview = Preview
prof-save = Save as the next version
prof-note = The language is described in the help pages; a profile with an existing code becomes its next version.
prof-template-title = What this profile looks for
prof-template-instruction = What the officer checks

## Administration
admin-error-name = Give the token a name of 1 to 100 characters.
admin-error-role = Choose a role.
admin-error-party = Party: { $problem }
admin-issued = Token { $id } issued. Copy it now: it is not shown again.
admin-revoked = Token { $id } revoked.
admin-no-token = No token { $id }.
admin-token = Token:
admin-tokens = API tokens
admin-col-id = Id
admin-col-role = Role
admin-col-party = Party
admin-col-issued = Issued
admin-revoked-at = revoked { $at }
admin-revoke-label = Revoke token { $id }
admin-issue-title = Issue a token
admin-token-name = Name (the system that will use it)
admin-party = Party id (traders, warehouses)
admin-issue = Issue
admin-disabled = disabled { $at }
admin-active = active
admin-see-centres = Declaration centres, inspectors and dispatch rules:
admin-see-profiles = risk profiles:
admin-see-models = model versions:
role-trader = trader
role-officer = officer
role-supervisor = supervisor
role-analyst = analyst
role-admin = admin
role-warehouse = warehouse
role-bank = bank
role-member = member
role-device = device

## Administration: people and offices
admin-disable = Disable
admin-disable-label = Disable { $name }
admin-add-person = Add a person
admin-field-name = Sign-in name
admin-field-display_name = Name shown
admin-field-password = First password (at least 10 characters)
admin-field-role = Role
admin-field-party = Party id
admin-field-code = Office code
admin-field-office_name = Office name
admin-party-person = Party id (traders' users only)
admin-add = Add
admin-person-added = { $name } can sign in now.
admin-person-disabled = { $name } is disabled: no more sign-in, and its sessions have ended.
admin-invalid = { $field }: { $problem }
admin-not-found = { $what } is not found.
admin-offices = Customs offices
admin-office-title = Create or rename an office
admin-save-office = Save office
admin-office-saved = Office { $code } saved.

## Centres: the administrator's set-up
centres-setup = Set-up
centres-centre-title = Create or change a centre
centres-field-code = Centre code (capital letters, digits, hyphens)
centres-field-name = Name
centres-field-office = Office of the centre (eight characters, optional)
centres-save = Save
centres-saved = Centre { $code } saved.
centres-inspector-title = Make an officer an inspector, or change one
centres-field-user = Officer's sign-in name
centres-field-competences = Competences (separated by commas)
centres-field-leave-from = On leave from (first day, optional)
centres-field-leave-until = On leave until (last day, optional)
centres-inspector-saved = Inspector { $user } saved.
centres-rules-title = New version of the dispatch rules
centres-field-rules = Rules (JSON: rules in order, first match wins, and the default centre)
centres-save-rules = Save as a new version
centres-rules-saved = Dispatch rules version { $version } in force.
centres-rules-syntax = line { $line }, column { $column }: { $problem }

## Movements of goods: transits, navigation seals
nav-transits = Transits
nav-alerts = Seal alerts
transits-title = Transit movements
transits-count = { $count ->
    [one] One movement.
   *[other] { $count } movements.
}
transit-title = Transit
transit-col-mrn = MRN
transit-col-state = State
transit-col-route = Departure → destination
transit-col-guarantee = Guarantee
transit-col-limit = Time limit
transit-col-filed = Filed
transit-col-local-reference = Local reference
transit-refusal = Refused because
transit-map = Route, corridor and track
transit-map-label = Map of the route with its corridor and the seals' track: { $reports } reports, { $alerts } alerts.
transit-alerts = Seal alerts
transit-timeline = Timeline
transit-remarks = Remarks
transit-discrepancies = Goods or seals differ from the declaration
transit-state-declared = declared
transit-state-accepted = accepted
transit-state-refused = refused
transit-state-in_transit = in transit
transit-state-arrived = arrived
transit-state-unloaded = unloaded
transit-state-completed = completed
transit-state-cancelled = cancelled
transit-state-enquiry = enquiry
transit-state-recovered = duties recovered
transit-event-declare = declared
transit-event-accept = accepted
transit-event-refuse = refused
transit-event-release = Release for transit
transit-event-arrive = Arrived at destination
transit-event-unloading_remarks = Unloading remarks
transit-event-complete = Complete
transit-event-cancel = Cancel
transit-event-open_enquiry = Open enquiry
transit-event-recover = Recover duties
guarantee-account = on the account
guarantee-certificate = by certificate
hold-none = not held
hold-reserved = held
hold-released = given back
hold-called = called
timeline-col-when = When
timeline-col-event = Event
timeline-col-who = Who
timeline-col-details = Details
alerts-title = Seal alerts
alerts-count = { $count ->
    [one] One alert open.
   *[other] { $count } alerts open.
}
alerts-none = No alerts.
alerts-col-seal = Seal
alerts-col-kind = Alert
alerts-col-from = From
alerts-col-until = Until
alerts-ongoing = ongoing
alerts-disproved = disproved
alerts-open-movement = movement
alert-deviation = route deviation
alert-stop = stop
alert-opened = seal opened
alert-tamper = tampering
alert-battery_low = battery low
alert-signal_lost = signal lost
alert-overdue = overdue
alert-malfunction = malfunction
