
# Консоль сотрудников таможни. Каждое сообщение есть и в en-console.ftl (это проверяет тест).

## Промежутки времени
span-hours = { $h } ч { $m } мин
span-minutes = { $m } мин

## Сводка
dash-title = Сводка
dash-hours-label = Деклараций зарегистрировано по часам за { $hours } ч, не более { $most } за час
dash-lanes-label = Доля каждого коридора: { $shares }
dash-period = С { $from } по { $to } UTC:
dash-registered = деклараций зарегистрировано,
dash-automatic = выпущено автоматически;
dash-collected = собрано.
dash-hours = Часы
dash-per-hour = Декларации по часам
dash-legend = Светлые: зарегистрированы; тёмные: выпущены автоматически.
dash-figures = Показатели
dash-col-hour = Час (UTC)
dash-col-registered = Зарегистрировано
dash-col-automatic = Выпущено автоматически
dash-lanes = Коридоры
dash-col-share = Доля
dash-queues = Очереди
dash-col-waiting = Ожидают
dash-col-oldest = Самое долгое ожидание
dash-for-officer = инспектора
dash-for-payment = оплаты
dash-hours-of = { $hours } ч

## Очередь работ
queue-left = осталось { $time }
queue-overdue = просрочено на { $time }
queue-yours = Ваши дела.
queue-show-all = Показать все дела на контроле
queue-all = Все дела на контроле.
queue-show-mine = Показать только ваши
queue-count = Деклараций на контроле: { $count }. Проверка документов — в течение 4 часов после постановки на контроль, досмотр — в течение 24; сначала просроченные, затем красные, затем ждущие дольше всех.
queue-col-centre = Центр
queue-col-since = Ожидает с (UTC)
queue-col-clock = Срок обслуживания
queue-col-score = Оценка модели
queue-random = (случайно)

## Центры электронного декларирования
centres-title = Центры электронного декларирования
centres-cases = Дела на контроле
centres-no-cases = Нет дел на контроле.
centres-col-open = Открытые дела
centres-col-since = Самое давнее ожидает с (UTC)
centres-not-dispatched = ещё не распределено
centres-for-supervisor = нет: для начальника
centres-inspectors = Инспекторы
centres-col-competences = Компетенции
centres-col-leave = Отпуск
centres-open-ended = без даты окончания
centres-rules = Правила распределения
centres-no-rules = Правил пока нет: дела не распределяются, пока их не напишет администратор.
centres-version = Версия { $version }, автор { $author }, { $at } UTC. Действует первое подошедшее правило; остальные дела идут в
centres-col-rule = Правило
centres-col-codes = Коды товаров
centres-col-transport = Транспорт
centres-col-offices = Таможенные органы
centres-col-regions = Регионы
centres-col-required = Требуемые компетенции
centres-office = таможенный орган { $office }

## Модель рисков
models-promoted = введена в действие
models-kept = сохранена, в действие не введена
models-trained = Версия { $version } обучена на { $outcomes } результатах: { $verdict } — { $reason }
models-title = Модель и профили рисков
models-versions = Версии модели
models-none = Модель ещё не обучена: система управления рисками работает только по профилям.
models-col-version = Версия
models-col-trained = Обучена (UTC)
models-col-in-force = Действует
models-col-precision = Точность на 10 %
models-col-recall = Полнота на 10 %
models-col-why = Почему
models-in-force = действует
models-was-in-force = действовала
models-not-promoted = не введена
models-retrain = Переобучить сейчас
models-effectiveness = Результативность профилей (за год)
models-no-outcomes = Результатов контроля пока нет.
models-col-hits = Срабатывания
models-col-controlled = Проверено
models-col-confirmed = Подтверждено
models-col-hit-rate = Результативность
models-col-recovered = Доначислено
models-col-proposal = Предложение
models-edit-profiles = Изменить профили рисков

## Профили рисков
prof-col-author = Автор
prof-edit-label = Изменить { $code }
prof-edit = Изменить
prof-new = Написать новый профиль
prof-editor = Редактор
prof-saved = Сохранено как версия { $version }; действует для деклараций с этого момента.
prof-preview-of = Предпросмотр
prof-preview-days = за последние дни: { $days }
prof-fires-on = Срабатывает на
prof-of-declarations = из { $count } деклараций;
prof-would-change = сменили бы коридор (остальные профили, модель и случайная доля — как действуют).
prof-green = Зелёный
prof-blue = Синий
prof-yellow = Жёлтый
prof-red = Красный
prof-caught = Нарушения выявлены
prof-missed = Нарушения пропущены
prof-as-decided = Как решено
prof-with-text = С этим текстом
prof-text = Текст профиля
prof-days = Предпросмотр за последние … дней (от 1 до { $max })
prof-preview = Предпросмотр
prof-save = Сохранить как следующую версию
prof-note = Язык описан в справке; профиль с существующим кодом становится его следующей версией.
prof-template-title = Что ищет этот профиль
prof-template-instruction = Что проверяет инспектор

## Администрирование
admin-error-name = Дайте токену имя длиной от 1 до 100 символов.
admin-error-role = Выберите роль.
admin-error-party = Участник: { $problem }
admin-issued = Токен { $id } выдан. Скопируйте его сейчас: больше он показан не будет.
admin-revoked = Токен { $id } отозван.
admin-no-token = Токена { $id } нет.
admin-token = Токен:
admin-tokens = Токены API
admin-col-id = Идентификатор
admin-col-role = Роль
admin-col-party = Участник
admin-col-issued = Выдан
admin-revoked-at = отозван { $at }
admin-revoke-label = Отозвать токен { $id }
admin-issue-title = Выдать токен
admin-token-name = Имя (система, которая будет его использовать)
admin-party = Идентификатор участника (участники ВЭД, склады)
admin-issue = Выдать
admin-disabled = отключён { $at }
admin-active = активен
admin-see-centres = Центры декларирования, инспекторы и правила распределения:
admin-see-profiles = профили рисков:
admin-see-models = версии модели:
role-trader = участник ВЭД
role-officer = инспектор
role-supervisor = начальник
role-analyst = аналитик
role-admin = администратор
role-warehouse = склад
role-bank = банк
role-member = член ВТамО
role-device = устройство

## Administration: people and offices
admin-disable = Отключить
admin-disable-label = Отключить { $name }
admin-add-person = Добавить пользователя
admin-field-name = Имя для входа
admin-field-display_name = Отображаемое имя
admin-field-password = Первоначальный пароль (не менее 10 символов)
admin-field-role = Роль
admin-field-party = Идентификатор лица
admin-field-code = Код таможенного органа
admin-field-office_name = Наименование таможенного органа
admin-party-person = Идентификатор лица (только для пользователей участников ВЭД)
admin-add = Добавить
admin-person-added = Пользователь { $name } теперь может войти.
admin-person-disabled = Пользователь { $name } отключён: вход невозможен, его сеансы завершены.
admin-invalid = { $field }: { $problem }
admin-not-found = { $what } не найден.
admin-offices = Таможенные органы
admin-office-title = Создать или переименовать таможенный орган
admin-save-office = Сохранить
admin-office-saved = Таможенный орган { $code } сохранён.

## Centres: the administrator's set-up
centres-setup = Настройка
centres-centre-title = Создать или изменить центр
centres-field-code = Код центра (заглавные латинские буквы, цифры, дефисы)
centres-field-name = Наименование
centres-field-office = Таможенный орган центра (восемь знаков, необязательно)
centres-save = Сохранить
centres-saved = Центр { $code } сохранён.
centres-inspector-title = Назначить должностное лицо инспектором или изменить данные инспектора
centres-field-user = Имя для входа должностного лица
centres-field-competences = Компетенции (через запятую)
centres-field-leave-from = В отпуске с (первый день, необязательно)
centres-field-leave-until = В отпуске по (последний день, необязательно)
centres-inspector-saved = Инспектор { $user } сохранён.
centres-rules-title = Новая версия правил распределения
centres-field-rules = Правила (JSON: правила по порядку, применяется первое подходящее, и центр по умолчанию)
centres-save-rules = Сохранить как новую версию
centres-rules-saved = Действует версия { $version } правил распределения.
centres-rules-syntax = строка { $line }, позиция { $column }: { $problem }
