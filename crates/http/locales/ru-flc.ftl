
# Подробности замечаний форматно-логического контроля: по шаблону на правило, со значениями,
# которые несёт замечание (`args`). Каждое сообщение есть и в en-flc.ftl (это проверяет тест).

## Шаблоны по правилам

flc-FLC_001-detail = Не указано обязательное значение «{ $what }» ({ $path }).
flc-FLC_002-detail = Не указан участник «{ $what }» ({ $path }).
flc-FLC_003-detail = Не указано обязательное значение «{ $what }» ({ $path }).
flc-FLC_004-detail = Не указано обязательное значение «{ $what }» ({ $path }).
flc-FLC_005-detail = Не указано обязательное значение «{ $what }» ({ $path }).
flc-FLC_006-detail = Не указано обязательное значение «{ $what }» ({ $path }).
flc-FLC_007-detail = В декларации нет товарных позиций; укажите хотя бы одну.
flc-FLC_008-detail = Не указано обязательное значение «{ $what }» ({ $path }).
flc-FLC_009-detail = Не указано обязательное значение «{ $what }» ({ $path }).
flc-FLC_010-detail = Товарных позиций в декларации: { $count }; допускается не более { $limit }, разделите партию на несколько деклараций.
flc-FLC_011-detail = Тип декларации { $value } неизвестен; укажите IM (импорт) или EX (экспорт).
flc-FLC_012-detail = Код процедуры { $value } не состоит из четырёх цифр (например, 4000).
flc-FLC_013-detail = Код таможенного органа { $value } не состоит из восьми заглавных латинских букв или цифр (например, DE005000).
flc-FLC_014-detail = Значение { $value } в поле «{ $what }» не соответствует формату: две заглавные латинские буквы, затем от 1 до 15 заглавных букв или цифр (например, DE123456789012345).
flc-FLC_015-detail = Значение { $value } в поле «{ $what }» не начинается с кода страны ISO 3166.
flc-FLC_016-detail = Символов в поле «{ $what }»: { $length }; допускается не более { $limit }.
flc-FLC_017-detail = Поле «{ $what }» пустое.
flc-FLC_018-detail = Поле «{ $what }» содержит управляющие символы, например переводы строк или табуляцию: { $value }.
flc-FLC_019-detail = Описание товара { $value } слишком короткое, чтобы по нему определить товар; опишите товар обычными словами.
flc-FLC_020-detail = Описание товара { $value } не говорит, что это за товар; назовите его (например, «мужская кожаная обувь»).
flc-FLC_021-detail = Код товара { $value } должен состоять из 6–10 цифр без точек и пробелов (например, 8517130000).
flc-FLC_022-detail = При морской перевозке транспортное средство указывается номером ИМО судна (например, IMO9811000); { $value } — недействительный номер.
flc-FLC_023-detail = Место нахождения товаров { $value } не является идентификатором из 4–35 заглавных латинских букв, цифр и знаков «-», «/», «.» (например, DEHAMCTA).
flc-FLC_024-detail = Значение { $value } в поле «{ $what }» не является двухбуквенным кодом страны ISO 3166-1{ $suggested ->
        [GB] { " " }(Соединённое Королевство обозначается GB)
       *[other] {""}
    }.
flc-FLC_025-detail = Значение { $value } в поле «{ $what }» не является двухбуквенным кодом страны ISO 3166-1{ $suggested ->
        [GB] { " " }(Соединённое Королевство обозначается GB)
       *[other] {""}
    }.
flc-FLC_026-detail = Валюта счёта { $value } не является действующим кодом ISO 4217{ $suggested ->
        [CNY] { " " }(китайский юань обозначается CNY)
       *[other] {""}
    }.
flc-FLC_027-detail = Код товара { $code } начинается с { $hs6 }, а такой субпозиции нет в ГС 2022 (возможно, код взят из прежней редакции).
flc-FLC_028-detail = Вид транспорта { $value } не входит в список 1, 2, 3, 4, 5, 7, 8, 9.
flc-FLC_029-detail = { $part ->
       *[requested] Запрашиваемая процедура { $procedure } в коде процедуры { $code } не является известной таможенной процедурой.
        [previous] Предшествующая процедура { $procedure } в коде процедуры { $code } не равна 00 и не является известной таможенной процедурой.
    }
flc-FLC_030-detail = Запрашиваемая процедура { $procedure } (в коде { $code }) — процедура { $declaration_type ->
       *[IM] экспорта, а декларация импортная
        [EX] импорта, а декларация экспортная
    }.
flc-FLC_031-detail = Условия поставки { $value } не являются правилом Инкотермс 2020 (EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF).
flc-FLC_032-detail = Значение { $value } в поле «{ $what }» неизвестно; укажите код по Рекомендации ЕЭК ООН № 20, например NAR (штуки), NPR (пары), KGM или LTR.
flc-FLC_033-detail = Значение { $value } в поле «{ $what }» неизвестно; укажите метод таможенной оценки ВТО от 1 до 6.
flc-FLC_034-detail = Значение { $value } в поле «{ $what }» неизвестно; укажите код, например 100 (без преференций), 200 (ВСП) или 300 (соглашение о свободной торговле).
flc-FLC_035-detail = Вид документа { $value } неизвестен; укажите код, например N380 (коммерческий счёт), N705 (коносамент) или N954 (EUR.1).
flc-FLC_036-detail = Таможенный орган { $office } не относится к этой таможенной администрации.
flc-FLC_037-detail = Цены товаров в сумме дают { $sum }{ $currency ->
        [unknown] {""}
       *[other] { " " }{ $currency }
    }, а итог счёта — { $total }{ $currency ->
        [unknown] {""}
       *[other] { " " }{ $currency }
    }; разница { $difference } больше допуска { $tolerance } (наибольшее из 1,00 и 0,5 % итога).
flc-FLC_038-detail = Масса нетто { $net } кг больше массы брутто { $gross } кг.
flc-FLC_039-detail = Значение поля «{ $what }» — { $value } кг; оно должно быть больше нуля.
flc-FLC_040-detail = Количество равно { $value }; оно должно быть больше нуля.
flc-FLC_041-detail = Значение поля «{ $what }» — { $value }; оно должно быть больше нуля.
flc-FLC_042-detail = Значение поля «{ $what }» — { $value } кг, это неправдоподобно{ $mode ->
        [unknown] {""}
       *[other] { " " }для вида транспорта { $mode }
    }; предел для одного товара — { $limit } кг.
flc-FLC_043-detail = Количество { $value } неправдоподобно; оно не может превышать { $limit }.
flc-FLC_044-detail = Значение поля «{ $what }» — { $value }, это слишком много; суммы должны быть меньше { $limit }.
flc-FLC_045-detail = В значении { $value } поля «{ $what }» знаков после запятой: { $decimals }; масса указывается с точностью до грамма (3 знака).
flc-FLC_046-detail = В значении { $value } поля «{ $what }» знаков после запятой: { $decimals }; допускается не более { $allowed }.
flc-FLC_047-detail = В количестве { $value } знаков после запятой: { $decimals }; допускается не более { $allowed }.
flc-FLC_048-detail = Количество { $quantity } { $unit } больше массы брутто { $gross } кг.
flc-FLC_049-detail = Количество { $quantity } не целое, а единица измерения { $unit } предназначена для счёта штук.
flc-FLC_050-detail = Общая масса брутто товаров — { $gross } кг; почтовое отправление весит не более { $limit } кг.
flc-FLC_051-detail = Дата декларации { $date } позже сегодняшней даты ({ $today }).
flc-FLC_052-detail = Дата декларации { $date } отстоит от сегодняшней даты ({ $today }) более чем на { $days } дней; оформите новую декларацию.
flc-FLC_053-detail = Дата счёта { $invoice_date } позже { $after ->
       *[declaration_date] даты декларации
        [today] сегодняшней даты
    } ({ $reference }).
flc-FLC_054-detail = Товар { $position } по порядку в списке имеет номер { $number }; нумеруйте товары 1, 2, 3 … по порядку, без пропусков и повторов.
flc-FLC_055-detail = У представителя тот же идентификатор, что у декларанта ({ $id }); не указывайте представителя, если декларант действует от своего имени.
flc-FLC_056-detail = Заявлена преференция { $preference }, но у товара нет документа, подтверждающего преференциальное происхождение (например, N954 EUR.1 или N864 декларация о происхождении).
flc-FLC_057-detail = Преференция { $preference } заявлена для товаров, происходящих из { $origin } — страны самого импортёра.
flc-FLC_058-detail = Преференция { $preference } заявлена при экспорте; для экспортных товаров указывается { $allowed }.
flc-FLC_059-detail = Документ { $document } { $number } указан для этого товара более одного раза.
flc-FLC_060-detail = Товары группы ГС { $chapter } (код { $code }) не перемещаются по трубопроводу или линии электропередачи (вид транспорта 7).

## Поля и участники, которые называет замечание (`what`), по их английским словам

flc-what-the-transport-at-the-border = Транспорт на границе
flc-what-the-declaration-type = Тип декларации
flc-what-the-procedure-code = Код процедуры
flc-what-the-customs-office = Таможенный орган
flc-what-the-transport-mode = Вид транспорта
flc-what-the-identity-of-the-means-of-transport = Идентификатор транспортного средства
flc-what-the-nationality-of-the-means-of-transport = Страна регистрации транспортного средства
flc-what-the-location-of-goods = Место нахождения товаров
flc-what-the-invoice = Счёт
flc-what-the-invoice-currency = Валюта счёта
flc-what-the-invoice-total = Итог счёта
flc-what-the-invoice-number = Номер счёта
flc-what-the-delivery-terms-group = Условия поставки
flc-what-the-named-place-of-delivery = Названное место поставки
flc-what-the-incoterms-code = Код Инкотермс
flc-what-the-declaration-date = Дата декларации
flc-what-the-list-of-goods-items = Список товаров
flc-what-the-item-number = Номер товара
flc-what-the-commodity-code = Код товара
flc-what-the-goods-description = Описание товара
flc-what-the-country-of-origin = Страна происхождения
flc-what-the-net-mass = Масса нетто
flc-what-the-gross-mass = Масса брутто
flc-what-the-quantity = Количество
flc-what-the-unit-of-quantity = Единица измерения
flc-what-the-item-price = Цена товара
flc-what-the-valuation-method = Метод таможенной оценки
flc-what-the-preference-code = Код преференции
flc-what-the-document-type = Вид документа
flc-what-the-document-number = Номер документа
flc-what-the-declarant = Декларант
flc-what-the-declarant-s-id = Идентификатор декларанта
flc-what-the-declarant-s-name = Наименование декларанта
flc-what-the-declarant-s-street = Улица декларанта
flc-what-the-declarant-s-city = Город декларанта
flc-what-the-declarant-s-postcode = Почтовый индекс декларанта
flc-what-the-declarant-s-country = Страна декларанта
flc-what-the-importer = Импортёр
flc-what-the-importer-s-id = Идентификатор импортёра
flc-what-the-importer-s-name = Наименование импортёра
flc-what-the-importer-s-street = Улица импортёра
flc-what-the-importer-s-city = Город импортёра
flc-what-the-importer-s-postcode = Почтовый индекс импортёра
flc-what-the-importer-s-country = Страна импортёра
flc-what-the-exporter = Экспортёр
flc-what-the-exporter-s-id = Идентификатор экспортёра
flc-what-the-exporter-s-name = Наименование экспортёра
flc-what-the-exporter-s-street = Улица экспортёра
flc-what-the-exporter-s-city = Город экспортёра
flc-what-the-exporter-s-postcode = Почтовый индекс экспортёра
flc-what-the-exporter-s-country = Страна экспортёра
flc-what-the-representative = Представитель
flc-what-the-representative-s-id = Идентификатор представителя
flc-what-the-representative-s-name = Наименование представителя
flc-what-the-representative-s-street = Улица представителя
flc-what-the-representative-s-city = Город представителя
flc-what-the-representative-s-postcode = Почтовый индекс представителя
flc-what-the-representative-s-country = Страна представителя
