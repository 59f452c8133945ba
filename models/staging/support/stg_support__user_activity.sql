{%- set ranges = var('support_valid_ranges') -%}
{%- set raw_columns = [
    'user_id', 'session_id', adapter.quote('timestamp'), 'session_length', 'messages_sent',
    'feedback_rating', 'resources_clicked',
] -%}
{#- By default the source is the demo seed: tell the DAG, so seeding runs first. -#}
{%- if not var('support_files_location') %}
-- depends_on: {{ ref('support_user_activity') }}
{%- endif %}

with

raw_user_activity as (
    select
        {{ raw_columns | join(',\n        ') }}
    from {{ source('support', 'user_activity') }}
),

raw_user_activity_keyed as (
    -- identical raw rows are told apart by their copy number
    select
        *,
        {{ surrogate_key(raw_columns) }} as raw_content_key,
        {{ support_raw_values(raw_columns) }} as raw_values
    from raw_user_activity
),

raw_user_activity_numbered as (
    select
        *,
        row_number() over (
            partition by raw_content_key order by raw_content_key
        ) as raw_copy_number
    from raw_user_activity_keyed
),

typed as (
    select
        {{ surrogate_key(['raw_content_key', 'raw_copy_number']) }} as raw_row_id,
        raw_values,
        user_id as user_id_raw,
        session_id as session_id_raw,
        {{ adapter.quote('timestamp') }} as timestamp_raw,
        session_length as session_length_raw,
        messages_sent as messages_sent_raw,
        feedback_rating as feedback_rating_raw,
        resources_clicked as resources_clicked_raw,
        nullif(trim(user_id), '') as user_id,
        nullif(trim(session_id), '') as session_id,
        -- an ISO date first: Postgres would also read words such as 'yesterday' or 'now'
        case
            when {{ regex_matches(
                "trim(" ~ adapter.quote('timestamp') ~ ")", '^[0-9]{4}-[0-9]{2}-[0-9]{2}'
            ) }}
                then {{ parse_utc_timestamp("trim(" ~ adapter.quote('timestamp') ~ ")") }}
        end as session_started_at,
        {{ try_cast('trim(session_length)', dbt.type_numeric()) }} as session_length_number,
        {{ try_cast('trim(messages_sent)', dbt.type_numeric()) }} as messages_sent_number,
        {{ try_cast('trim(feedback_rating)', dbt.type_numeric()) }} as feedback_rating_number,
        {{ try_cast('trim(resources_clicked)', dbt.type_numeric()) }} as resources_clicked_number
    from raw_user_activity_numbered
),

validated as (
    select
        *,
        case
            {{ validation_reason_cases('user_id', 'user_id_raw') }}
            {{ validation_reason_cases('session_id', 'session_id_raw') }}
            {{ validation_reason_cases('timestamp', 'timestamp_raw', 'session_started_at') }}
            {{ validation_reason_cases(
                'session_length', 'session_length_raw', 'session_length_number',
                ranges['session_length']
            ) }}
            {{ validation_reason_cases(
                'messages_sent', 'messages_sent_raw', 'messages_sent_number',
                ranges['messages_sent'], whole_number=true
            ) }}
            {{ validation_reason_cases(
                'feedback_rating', 'feedback_rating_raw', 'feedback_rating_number',
                ranges['feedback_rating'], whole_number=true
            ) }}
            {{ validation_reason_cases(
                'resources_clicked', 'resources_clicked_raw', 'resources_clicked_number',
                ranges['resources_clicked'], whole_number=true
            ) }}
        end as check_reason
    from typed
),

deduplicated as (
    -- among valid rows, a second row of the same session is a duplicate
    select
        *,
        row_number() over (
            partition by session_id, check_reason order by raw_row_id
        ) as session_copy_number
    from validated
),

final as (
    select
        raw_row_id,
        raw_values,
        user_id,
        session_id,
        session_started_at,
        cast(session_length_number as {{ type_double() }}) as session_length_minutes,
        -- a fraction is quarantined: no whole number is made of it (engines round differently)
        case
            when messages_sent_number = floor(messages_sent_number)
                then cast(messages_sent_number as {{ dbt.type_bigint() }})
        end as messages_sent,
        -- a fraction is quarantined: no whole number is made of it (engines round differently)
        case
            when feedback_rating_number = floor(feedback_rating_number)
                then cast(feedback_rating_number as {{ dbt.type_bigint() }})
        end as feedback_rating,
        -- a fraction is quarantined: no whole number is made of it (engines round differently)
        case
            when resources_clicked_number = floor(resources_clicked_number)
                then cast(resources_clicked_number as {{ dbt.type_bigint() }})
        end as resources_clicked,
        case
            when check_reason is not null then check_reason
            when session_copy_number > 1 then 'duplicate_session_id'
        end as invalid_reason
    from deduplicated
)

select * from final
