{#- Segment (event_format: segment): one Segment call as the event contract.
    Two shapes, told apart by `source_table`:
    - a landing file (source_table null): the JSON of Segment's S3 / webhook destinations, one
      call per line, camelCase keys as in Segment's Spec (messageId, anonymousId, userId,
      type, event, timestamp, receivedAt, context.page, context.campaign, properties, traits);
    - a warehouse table (source_table 'tracks', 'pages', ...): Segment's warehouse schema,
      snake_case columns with context flattened (context_page_url, context_campaign_source)
      and, in pages and the per-event tables, the properties as columns (revenue, product_id).
    The call type follows the `type` key (JSON) or the table: page -> page_view, screen ->
    screen, identify -> identify, alias -> alias, group -> group, track -> its event name.
    An alias ties previousId (read as anonymous_id) to userId. occurred_at is Segment's
    `timestamp` (clock-skew corrected), else originalTimestamp; a time without a zone is
    local time in context.timezone when one is sent. Segment makes no session id: the one
    Segment's Amplitude (Actions) plugin adds (integrations."Actions Amplitude".session_id,
    per device) is read, prefixed with the anonymous id so it is unique per person; tables
    have none. country: context.location.country when it is an ISO code, else the region of
    context.locale ('en-US' -> US). element, click_x, click_y, feature_name, product_id and
    revenue: the same-named properties. properties: the call's properties (traits for
    identify and group); from a table, the row's other columns (not Segment's load
    metadata: sent_at, uuid_ts, loaded_at, context_library_*). -#}
{% macro default__segment_event_contract(record, source_table) -%}
    {%- set from_table = source_table != 'null' -%}
    {%- set table_name = source_table | replace("'", "") -%}
    {%- set table_types = {
        'pages': 'page', 'screens': 'screen', 'identifies': 'identify',
        'aliases': 'alias', 'groups': 'group',
    } -%}
    {%- if from_table -%}
        {%- set call_type = "'" ~ table_types.get(table_name, 'track') ~ "'" -%}
        {%- set keys = {
            'event_id': ['id'], 'anonymous_id': ['anonymous_id'], 'previous_id': ['previous_id'],
            'user_id': ['user_id'], 'event': ['event_text'], 'event_slug': ['event'],
            'timestamp': ['timestamp'], 'original_timestamp': ['original_timestamp'],
            'received_at': ['received_at'], 'timezone': ['context_timezone'],
            'context_url': ['context_page_url'], 'context_referrer': ['context_page_referrer'],
            'page_url': ['url'], 'page_referrer': ['referrer'],
            'utm_source': ['context_campaign_source'], 'utm_medium': ['context_campaign_medium'],
            'utm_campaign': ['context_campaign_name'], 'utm_content': ['context_campaign_content'],
            'utm_term': ['context_campaign_term'], 'device_type': ['context_device_type'],
            'country': ['context_location_country'], 'locale': ['context_locale'],
            'element': ['element'], 'click_x': ['click_x'], 'click_y': ['click_y'],
            'feature_name': ['feature_name'], 'product_id': ['product_id'], 'revenue': ['revenue'],
        } -%}
        {%- set session_id = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
        {#- the row's other columns, without those read above and Segment's load metadata,
            which differs between two deliveries of one call -#}
        {%- set read_columns = [] -%}
        {%- for path in keys.values() -%}
            {%- do read_columns.append(path[0]) -%}
        {%- endfor -%}
        {%- set properties = json_without_keys(
            record, read_columns + ['sent_at', 'uuid_ts', 'loaded_at', 'context_library_name', 'context_library_version']
        ) -%}
    {%- else -%}
        {%- set call_type = json_text(record, ['type']) -%}
        {%- set keys = {
            'event_id': ['messageId'], 'anonymous_id': ['anonymousId'], 'previous_id': ['previousId'],
            'user_id': ['userId'], 'event': ['event'], 'event_slug': ['event'],
            'timestamp': ['timestamp'], 'original_timestamp': ['originalTimestamp'],
            'received_at': ['receivedAt'], 'timezone': ['context', 'timezone'],
            'context_url': ['context', 'page', 'url'], 'context_referrer': ['context', 'page', 'referrer'],
            'page_url': ['properties', 'url'], 'page_referrer': ['properties', 'referrer'],
            'utm_source': ['context', 'campaign', 'source'], 'utm_medium': ['context', 'campaign', 'medium'],
            'utm_campaign': ['context', 'campaign', 'name'], 'utm_content': ['context', 'campaign', 'content'],
            'utm_term': ['context', 'campaign', 'term'], 'device_type': ['context', 'device', 'type'],
            'country': ['context', 'location', 'country'], 'locale': ['context', 'locale'],
            'element': ['properties', 'element'], 'click_x': ['properties', 'click_x'],
            'click_y': ['properties', 'click_y'], 'feature_name': ['properties', 'feature_name'],
            'product_id': ['properties', 'product_id'], 'revenue': ['properties', 'revenue'],
        } -%}
        {%- set tracker_session = json_text(record, ['integrations', 'Actions Amplitude', 'session_id']) -%}
        {%- set session_id = 'case when ' ~ tracker_session ~ ' is not null then coalesce('
            ~ json_text(record, keys.anonymous_id) ~ ', ' ~ json_text(record, keys.user_id)
            ~ ") || '/' || " ~ tracker_session ~ ' end' -%}
        {%- set properties = 'case when ' ~ call_type ~ " in ('identify', 'group') then "
            ~ json_text(record, ['traits']) ~ ' else ' ~ json_text(record, ['properties']) ~ ' end' -%}
    {%- endif -%}
    {%- set occurred = 'coalesce(' ~ json_text(record, keys.timestamp) ~ ', '
        ~ json_text(record, keys.original_timestamp) ~ ')' -%}
    {%- set timezone = json_text(record, keys.timezone) -%}
    {%- set country = json_text(record, keys.country) -%}
    {%- set device = 'lower(' ~ json_text(record, keys.device_type) ~ ')' -%}
    {{ json_text(record, keys.event_id) }} as event_id,
    case
        when {{ call_type }} = 'alias'
            then coalesce({{ json_text(record, keys.previous_id) }}, {{ json_text(record, keys.anonymous_id) }})
        else {{ json_text(record, keys.anonymous_id) }}
    end as anonymous_id,
    {{ json_text(record, keys.user_id) }} as user_id,
    {{ session_id }} as session_id,
    case {{ call_type }}
        when 'page' then 'page_view'
        when 'track' then coalesce({{ json_text(record, keys.event) }}, {{ json_text(record, keys.event_slug) }})
        else {{ call_type }}
    end as event_name,
    case
        when {{ timezone }} is not null
            and {{ regex_matches(occurred, '^ *' ~ iso_timestamp_pattern(with_zone=false) ~ ' *$') }}
            then {{ occurred }} || ' ' || {{ timezone }}
        else {{ occurred }}
    end as occurred_at,
    {{ json_text(record, keys.received_at) }} as received_at,
    coalesce(
        {{ json_text(record, keys.context_url) }},
        case when {{ call_type }} = 'page' then {{ json_text(record, keys.page_url) }} end
    ) as page_url,
    coalesce(
        {{ json_text(record, keys.context_referrer) }},
        case when {{ call_type }} = 'page' then {{ json_text(record, keys.page_referrer) }} end
    ) as referrer_url,
    {{ json_text(record, keys.utm_source) }} as utm_source,
    {{ json_text(record, keys.utm_medium) }} as utm_medium,
    {{ json_text(record, keys.utm_campaign) }} as utm_campaign,
    {{ json_text(record, keys.utm_content) }} as utm_content,
    {{ json_text(record, keys.utm_term) }} as utm_term,
    case when {{ device }} in ('ios', 'android') then 'mobile' else {{ device }} end as device_type,
    coalesce(
        case when length({{ country }}) = 2 then {{ country }} end,
        {{ regex_extract(json_text(record, keys.locale), '^[A-Za-z]{2,3}[-_]([A-Za-z]{2})$') }}
    ) as country,
    {{ json_text(record, keys.element) }} as element,
    {{ json_text(record, keys.click_x) }} as click_x,
    {{ json_text(record, keys.click_y) }} as click_y,
    {{ json_text(record, keys.feature_name) }} as feature_name,
    {{ json_text(record, keys.product_id) }} as product_id,
    {{ json_text(record, keys.revenue) }} as revenue,
    {{ properties }} as properties
{%- endmacro %}

{#- The Segment warehouse tables to read when there is no landing folder: the tables of var
    segment_tables (declared in models/staging/segment/_segment__sources.yml), except that
    `tracks` gives way to the per-event tables of var segment_event_tables when that lists
    any: each holds the same track calls as `tracks`, with their properties as columns, in
    the schema of the segment source. -#}
{% macro default__segment_event_tables() -%}
    {%- set event_tables = var('segment_event_tables') -%}
    {%- set tables = [] -%}
    {%- for table_name in var('segment_tables') if not (table_name == 'tracks' and event_tables) -%}
        {%- do tables.append((source('segment', table_name), table_name)) -%}
    {%- endfor -%}
    {%- for table_name in event_tables -%}
        {%- do tables.append((source('segment', 'tracks').incorporate(path={'identifier': table_name}), table_name)) -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}
