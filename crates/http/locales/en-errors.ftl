# Errors and problems the use cases report, as the pages say them (the API's messages are
# English and come from the code; `error-<CODE>` is a page's sentence for that code).

error-AUTH_001 = This needs you to sign in or to send an API token.
error-AUTH_002 = The API token is not valid.
error-AUTH_003 = Your role ({ $role }) may not do this.
error-AUTH_004 = Declaration { $id } does not exist or is not yours.
error-AUTH_005 = You are signed in as { $token } but the declaration names declarant { $declared }.
error-AUTH_006 = This form or request does not carry the CSRF token of your session; reload the page and try again. Nothing was changed.
error-AUTH_007 = State-changing requests are accepted only from this site's own pages. Nothing was changed.
error-AUTH_008 = Too many failed sign-ins for this account or from this address; try again in { $minutes } minutes.
error-AUTH_009 = { $filer } holds no authorisation of { $declared } in force today (expired, not yet valid or revoked).
error-REQ_001 = The request body is not valid JSON: { $detail }
error-REQ_002 = The data do not match the schema at { $path }: { $detail }
error-REQ_003 = The request body exceeds the limit of { $bytes } bytes.
error-REQ_004 = Invalid parameter { $name }: { $detail }
error-REQ_005 = Invalid header { $name }: { $detail }
error-REQ_006 = { $field } holds a NUL character, which cannot be stored.
error-REQ_007 = The body must be sent as { $media }.
error-REQ_008 = The request body stopped arriving before the body read timeout. Nothing was recorded.
error-REQ_009 = The body is not a WCO Data Model declaration message: { $detail }
error-DEC_001 = { $detail }
error-DOC_001 = The request for documents or the answer is not valid ({ $field }): { $detail }
error-DOC_002 = { $detail }
error-DSP_001 = The dispatch set-up or reassignment is not valid: { $detail }
error-ADM_001 = { $name }: { $detail }
error-KEY_001 = The public key is not a base64url Ed25519 key of 32 bytes.
error-KEY_002 = { $detail }
error-RES_001 = { $detail } not found.
error-RES_002 = { $detail }
error-RISK_001 = The risk profile does not parse: { $detail }
error-RISK_002 = The risk model cannot be trained: { $detail }
error-PAY_001 = { $detail }
error-PAY_002 = Invalid amount: { $detail }
error-PAY_003 = The available balance { $available } does not cover { $needed }; { $missing } is missing.
error-PAY_004 = Trader { $id } is not known to the platform; deposits are credited only to registered traders.
error-TARIFF_001 = The tariff change is not valid: { $detail }
error-KB_001 = The survey answer is not valid: { $count ->
    [one] { $count } problem
   *[other] { $count } problems
}.
error-KB_002 = The maturity assessment is not valid: { $detail }
error-KB_003 = Invalid search query: { $detail }
error-MOV_001 = The filing breaks { $count ->
    [one] one rule
   *[other] { $count } rules
}; nothing was recorded.
error-MOV_002 = Local reference { $reference } was filed before as { $mrn } with other content: { $detail }
error-MOV_003 = The movement does not take this now: { $detail }
error-MOV_004 = The signature is not accepted: { $detail }
error-MOV_005 = The amount at stake cannot be computed: { $detail }
error-DEV_001 = The seal report is refused: { $count ->
    [one] one problem
   *[other] { $count } problems
}.
error-DEV_002 = The seal is on no active transit: { $detail }
error-DEV_003 = The device's signature is not accepted: { $detail }
error-TRACE_001 = The traceability report is refused: { $count ->
    [one] one problem
   *[other] { $count } problems
}.
error-TRACE_002 = The batches' balances refuse the report: { $detail }
error-CHP_001 = The checkpoint event is refused: { $count ->
    [one] one problem
   *[other] { $count } problems
}.
error-CHP_002 = The checkpoint settings are refused: { $count ->
    [one] one problem
   *[other] { $count } problems
}.
error-CHP_003 = The booking is refused: { $detail }
error-CHP_004 = The vehicle's state does not take this action: { $detail }
error-SYS_001 = The service could not complete the request; it was not recorded, retry later.
error-SYS_002 = The server is at its connection limit; retry shortly.

settled = Nothing was changed: declaration { $id } is in state “{ $state }” now.
settled-by = Nothing was changed: declaration { $id } is in state “{ $state }” now (by { $by }, { $at }).

amount-sub-cent = { $value } has more than two decimals; amounts are in cents.
amount-not-positive = { $value } is not a positive amount.
amount-too-large = { $value } is too large.
amount-above-limit = { $value } exceeds { $max }, the most one payment or refund may carry.

key-none = You have no signing key yet: make one on your account page.
key-mismatch = The two passphrases differ.
key-passphrase-length = The passphrase must be { $min } to { $max } characters.
key-wrong-passphrase = The passphrase does not open the signing key.
key-damaged = The stored signing key is damaged.
draft-too-big = A draft keeps at most { $max } fields.

problem-user-name = 3 to 64 lower-case letters, digits, dots, dashes or underscores
problem-display-name = give a name of 1 to 100 characters
problem-password = 10 to 200 characters
problem-party-missing = a trader's user names its organisation
problem-party-id = { $detail }
problem-party-not-trader = only a trader's user names an organisation
problem-name-taken = { $name } is taken
problem-disable-self = you cannot disable yourself
problem-office-code = { $detail }
problem-office-name = give a name of 1 to 200 characters
problem-people-limit = must be between 1 and { $max }
problem-capacity = { $name } is not one of filer, payer, viewer, admin
problem-no-capacity = give at least one capacity
problem-change-self = you cannot change or remove yourself
problem-represent-self = an organisation does not represent itself
problem-unknown-trader = { $id } is not a trader known to the platform
problem-period = the period must end on or after its start and today, and last at most { $days } days

request-question-length = ask in 1 to { $max } characters
request-due-hours = give the declarant { $min } to { $max } hours
request-answer-length = answer in at most { $max } characters
request-empty = write an answer or attach a document
request-too-many-files = attach at most { $max } files
request-file-name = { $name } is not a plain file name of 1 to { $max } characters
request-media-type = { $name } is a { $media }; attach PDF, PNG, JPEG, XML, JSON or text files
request-file-size = { $name } has { $bytes } bytes; a file holds 1 byte to { $max } MB
request-not-base64 = { $name } is not standard base64

verbatim = { $text }
dispatch-centre-code = code: 2 to 32 capital letters, digits or hyphens
dispatch-centre-name = name: 1 to 200 characters
dispatch-not-officer = user: { $user } is not an officer's or a supervisor's user name
dispatch-leave-order = leave_until_us: the leave ends after it starts
dispatch-competences = competences: each 1 to 40 characters, without commas
dispatch-centre-conflict = centre: { $detail }
dispatch-not-inspector = inspector: { $inspector } is not an inspector
dispatch-on-leave = inspector: { $inspector } is on leave
dispatch-not-yours = the case is not dispatched to you
dispatch-reason = reason: 1 to { $max } characters
dispatch-office = office: { $detail }
dispatch-not-a-day = { $field }: { $text } is not a date (YYYY-MM-DD)
dispatch-leave-days = leave_until: give the first and the last day of the leave
error-PTN_001 = The partner administration is not registered: { $detail }
error-PTN_002 = The partner's signature is not accepted: { $detail }
error-PTN_003 = The partner's message is signed with a key not in force: { $detail }
error-PTN_004 = The partner's message cannot be read at { $path }: { $detail }
