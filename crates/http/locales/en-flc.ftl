
# The details of the findings of format-logical control, one template per rule, filled with the
# values the finding carries (`args`); rendered here, each gives exactly the core's message (a
# test checks). Every message here is in ru-flc.ftl too.

## Details by rule

flc-FLC_001-detail = { $what } is missing ({ $path }).
flc-FLC_002-detail = { $what } is missing ({ $path }).
flc-FLC_003-detail = { $what } is missing ({ $path }).
flc-FLC_004-detail = { $what } is missing ({ $path }).
flc-FLC_005-detail = { $what } is missing ({ $path }).
flc-FLC_006-detail = { $what } is missing ({ $path }).
flc-FLC_007-detail = The declaration has no goods items; declare at least one.
flc-FLC_008-detail = { $what } is missing ({ $path }).
flc-FLC_009-detail = { $what } is missing ({ $path }).
flc-FLC_010-detail = The declaration has { $count } goods items; at most { $limit } are allowed, so split the consignment.
flc-FLC_011-detail = The declaration type { $value } is unknown; use IM for import or EX for export.
flc-FLC_012-detail = The procedure code { $value } is not four digits (e.g. 4000).
flc-FLC_013-detail = The office code { $value } is not eight upper-case letters or digits (e.g. DE005000).
flc-FLC_014-detail = { $what } { $value } is not two upper-case letters followed by 1 to 15 upper-case letters or digits (e.g. DE123456789012345).
flc-FLC_015-detail = { $what } { $value } does not start with an ISO 3166 country code.
flc-FLC_016-detail = { $what } has { $length } characters; at most { $limit } are allowed.
flc-FLC_017-detail = { $what } is blank.
flc-FLC_018-detail = { $what } contains control characters such as line breaks or tabs: { $value }.
flc-FLC_019-detail = The goods description { $value } is too short to identify the goods; describe them in plain words.
flc-FLC_020-detail = The goods description { $value } does not say what the goods are; name them (e.g. "men's leather shoes").
flc-FLC_021-detail = The commodity code { $value } is not 6 to 10 digits without dots or spaces (e.g. 8517130000).
flc-FLC_022-detail = By sea the means of transport is the vessel's IMO number (e.g. IMO9811000); { $value } is not a valid one.
flc-FLC_023-detail = The location of goods { $value } is not an identifier of 4 to 35 upper-case letters, digits, '-', '/' or '.' (e.g. DEHAMCTA).
flc-FLC_024-detail = { $what } { $value } is not an ISO 3166-1 alpha-2 country code{ $suggested ->
        [GB] { " " }(the United Kingdom is GB)
       *[other] {""}
    }.
flc-FLC_025-detail = { $what } { $value } is not an ISO 3166-1 alpha-2 country code{ $suggested ->
        [GB] { " " }(the United Kingdom is GB)
       *[other] {""}
    }.
flc-FLC_026-detail = The invoice currency { $value } is not an active ISO 4217 code{ $suggested ->
        [CNY] { " " }(the Chinese yuan is CNY)
       *[other] {""}
    }.
flc-FLC_027-detail = The commodity code { $code } starts with { $hs6 }, which is not a subheading of HS 2022 (it may be from an older edition).
flc-FLC_028-detail = The transport mode { $value } is not one of 1, 2, 3, 4, 5, 7, 8, 9.
flc-FLC_029-detail = { $part ->
       *[requested] The requested procedure { $procedure } in procedure code { $code } is not a known customs procedure.
        [previous] The previous procedure { $procedure } in procedure code { $code } is neither 00 nor a known customs procedure.
    }
flc-FLC_030-detail = The requested procedure { $procedure } (in { $code }) is { $declaration_type ->
       *[IM] an export procedure, but this is an import
        [EX] an import procedure, but this is an export
    } declaration.
flc-FLC_031-detail = The delivery terms { $value } are not an Incoterms 2020 rule (EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF).
flc-FLC_032-detail = { $what } { $value } is not known; use a UN/ECE Rec. 20 code such as NAR (articles), NPR (pairs), KGM or LTR.
flc-FLC_033-detail = { $what } { $value } is not known; use a WTO valuation method from 1 to 6.
flc-FLC_034-detail = { $what } { $value } is not known; use a code such as 100 (no preference), 200 (GSP) or 300 (free-trade agreement).
flc-FLC_035-detail = The document type { $value } is not known; use a code such as N380 (commercial invoice), N705 (bill of lading) or N954 (EUR.1).
flc-FLC_036-detail = The office { $office } is not a customs office of this administration.
flc-FLC_037-detail = The item prices add up to { $sum }{ $currency ->
        [unknown] {""}
       *[other] { " " }{ $currency }
    } but the invoice total is { $total }{ $currency ->
        [unknown] {""}
       *[other] { " " }{ $currency }
    }; the difference of { $difference } is more than the tolerance of { $tolerance } (the larger of 1.00 and 0.5 % of the total).
flc-FLC_038-detail = The net mass { $net } kg is larger than the gross mass { $gross } kg.
flc-FLC_039-detail = { $what } is { $value } kg; it must be more than zero.
flc-FLC_040-detail = The quantity is { $value }; it must be more than zero.
flc-FLC_041-detail = { $what } is { $value }; it must be more than zero.
flc-FLC_042-detail = { $what } of { $value } kg is implausible{ $mode ->
        [unknown] {""}
       *[other] { " " }by transport mode { $mode }
    }; the ceiling per item is { $limit } kg.
flc-FLC_043-detail = The quantity { $value } is implausible; it is at most { $limit }.
flc-FLC_044-detail = { $what } { $value } is too large; amounts stay below { $limit }.
flc-FLC_045-detail = { $what } { $value } has { $decimals } decimal places; masses are declared to the gram (3 decimals).
flc-FLC_046-detail = { $what } { $value } has { $decimals } decimal places; at most { $allowed } are allowed.
flc-FLC_047-detail = The quantity { $value } has { $decimals } decimal places; at most { $allowed } are allowed.
flc-FLC_048-detail = The quantity { $quantity } { $unit } is more than the gross mass of { $gross } kg.
flc-FLC_049-detail = The quantity { $quantity } is not a whole number, but the unit { $unit } counts things.
flc-FLC_050-detail = The items weigh { $gross } kg gross in total; a postal consignment weighs at most { $limit } kg.
flc-FLC_051-detail = The declaration date { $date } is after today ({ $today }).
flc-FLC_052-detail = The declaration date { $date } is more than { $days } days before today ({ $today }); make out a new declaration.
flc-FLC_053-detail = The invoice date { $invoice_date } is after { $after ->
       *[declaration_date] the declaration date
        [today] today
    } ({ $reference }).
flc-FLC_054-detail = Item { $position } in the list is numbered { $number }; number the items 1, 2, 3 … in order, without gaps or repeats.
flc-FLC_055-detail = The representative has the declarant's own id { $id }; leave the representative out when the declarant acts for itself.
flc-FLC_056-detail = Preference { $preference } is claimed but the item lists no proof of preferential origin (e.g. N954 EUR.1 or N864 origin declaration).
flc-FLC_057-detail = Preference { $preference } is claimed for goods originating in { $origin }, the importer's own country.
flc-FLC_058-detail = Preference { $preference } is claimed on an export; export items carry { $allowed }.
flc-FLC_059-detail = Document { $document } { $number } is listed more than once for this item.
flc-FLC_060-detail = Goods of HS chapter { $chapter } (code { $code }) cannot travel by pipeline or power line (transport mode 7).

## The fields and parties a detail names (`what`), by their English words

flc-what-the-transport-at-the-border = The transport at the border
flc-what-the-declaration-type = The declaration type
flc-what-the-procedure-code = The procedure code
flc-what-the-customs-office = The customs office
flc-what-the-transport-mode = The transport mode
flc-what-the-identity-of-the-means-of-transport = The identity of the means of transport
flc-what-the-nationality-of-the-means-of-transport = The nationality of the means of transport
flc-what-the-location-of-goods = The location of goods
flc-what-the-invoice = The invoice
flc-what-the-invoice-currency = The invoice currency
flc-what-the-invoice-total = The invoice total
flc-what-the-invoice-number = The invoice number
flc-what-the-delivery-terms-group = The delivery-terms group
flc-what-the-named-place-of-delivery = The named place of delivery
flc-what-the-incoterms-code = The Incoterms code
flc-what-the-declaration-date = The declaration date
flc-what-the-list-of-goods-items = The list of goods items
flc-what-the-item-number = The item number
flc-what-the-commodity-code = The commodity code
flc-what-the-goods-description = The goods description
flc-what-the-country-of-origin = The country of origin
flc-what-the-net-mass = The net mass
flc-what-the-gross-mass = The gross mass
flc-what-the-quantity = The quantity
flc-what-the-unit-of-quantity = The unit of quantity
flc-what-the-item-price = The item price
flc-what-the-valuation-method = The valuation method
flc-what-the-preference-code = The preference code
flc-what-the-document-type = The document type
flc-what-the-document-number = The document number
flc-what-the-declarant = The declarant
flc-what-the-declarant-s-id = The declarant's id
flc-what-the-declarant-s-name = The declarant's name
flc-what-the-declarant-s-street = The declarant's street
flc-what-the-declarant-s-city = The declarant's city
flc-what-the-declarant-s-postcode = The declarant's postcode
flc-what-the-declarant-s-country = The declarant's country
flc-what-the-importer = The importer
flc-what-the-importer-s-id = The importer's id
flc-what-the-importer-s-name = The importer's name
flc-what-the-importer-s-street = The importer's street
flc-what-the-importer-s-city = The importer's city
flc-what-the-importer-s-postcode = The importer's postcode
flc-what-the-importer-s-country = The importer's country
flc-what-the-exporter = The exporter
flc-what-the-exporter-s-id = The exporter's id
flc-what-the-exporter-s-name = The exporter's name
flc-what-the-exporter-s-street = The exporter's street
flc-what-the-exporter-s-city = The exporter's city
flc-what-the-exporter-s-postcode = The exporter's postcode
flc-what-the-exporter-s-country = The exporter's country
flc-what-the-representative = The representative
flc-what-the-representative-s-id = The representative's id
flc-what-the-representative-s-name = The representative's name
flc-what-the-representative-s-street = The representative's street
flc-what-the-representative-s-city = The representative's city
flc-what-the-representative-s-postcode = The representative's postcode
flc-what-the-representative-s-country = The representative's country
