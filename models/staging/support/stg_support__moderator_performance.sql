{%- set ranges = var('support_valid_ranges') -%}
{%- set raw_columns = [
    'moderator_id', 'chat_sessions_moderated', 'avg_response_time', 'user_satisfaction_score',
] -%}
{#- By default the source is the demo seed: tell the DAG, so seeding runs first. -#}
{%- if not var('support_files_location') %}
-- depends_on: {{ ref('support_moderator_performance') }}
{%- endif %}

with

raw_moderator_performance as (
    select
        {{ raw_columns | join(',\n        ') }}
    from {{ source('support', 'moderator_performance') }}
),

raw_moderator_performance_keyed as (
    -- identical raw rows are told apart by their copy number
    select
        *,
        {{ surrogate_key(raw_columns) }} as raw_content_key,
        {{ support_raw_values(raw_columns) }} as raw_values
    from raw_moderator_performance
),

raw_moderator_performance_numbered as (
    select
        *,
        row_number() over (
            partition by raw_content_key order by raw_content_key
        ) as raw_copy_number
    from raw_moderator_performance_keyed
),

typed as (
    select
        {{ surrogate_key(['raw_content_key', 'raw_copy_number']) }} as raw_row_id,
        raw_values,
        moderator_id as moderator_id_raw,
        chat_sessions_moderated as chat_sessions_moderated_raw,
        avg_response_time as avg_response_time_raw,
        user_satisfaction_score as user_satisfaction_score_raw,
        nullif(trim(moderator_id), '') as moderator_id,
        {{ try_cast('trim(chat_sessions_moderated)', dbt.type_numeric()) }}
            as chat_sessions_moderated_number,
        {{ try_cast('trim(avg_response_time)', dbt.type_numeric()) }} as avg_response_time_number,
        {{ try_cast('trim(user_satisfaction_score)', dbt.type_numeric()) }}
            as user_satisfaction_score_number
    from raw_moderator_performance_numbered
),

validated as (
    select
        *,
        case
            {{ validation_reason_cases('moderator_id', 'moderator_id_raw') }}
            {{ validation_reason_cases(
                'chat_sessions_moderated', 'chat_sessions_moderated_raw',
                'chat_sessions_moderated_number', ranges['chat_sessions_moderated'],
                whole_number=true
            ) }}
            {{ validation_reason_cases(
                'avg_response_time', 'avg_response_time_raw', 'avg_response_time_number',
                ranges['avg_response_time']
            ) }}
            {{ validation_reason_cases(
                'user_satisfaction_score', 'user_satisfaction_score_raw',
                'user_satisfaction_score_number', ranges['user_satisfaction_score']
            ) }}
        end as check_reason
    from typed
),

deduplicated as (
    -- among valid rows, a second row of the same moderator is a duplicate
    select
        *,
        row_number() over (
            partition by moderator_id, check_reason order by raw_row_id
        ) as moderator_copy_number
    from validated
),

final as (
    select
        raw_row_id,
        raw_values,
        moderator_id,
        -- a fraction is quarantined: no whole number is made of it (engines round differently)
        case
            when chat_sessions_moderated_number = floor(chat_sessions_moderated_number)
                then cast(chat_sessions_moderated_number as {{ dbt.type_bigint() }})
        end as chat_sessions_moderated,
        cast(avg_response_time_number as {{ type_double() }}) as avg_response_time_seconds,
        cast(user_satisfaction_score_number as {{ type_double() }}) as user_satisfaction_score,
        case
            when check_reason is not null then check_reason
            when moderator_copy_number > 1 then 'duplicate_moderator_id'
        end as invalid_reason
    from deduplicated
)

select * from final
