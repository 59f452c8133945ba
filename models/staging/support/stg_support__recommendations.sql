{%- set ranges = var('support_valid_ranges') -%}
{#- accepted types, compared case-insensitively, spelled as in the var; null otherwise -#}
{%- set accepted_type_case -%}
    case lower(trim(recommendation_type))
    {%- for accepted_type in var('support_recommendation_types') %}
        when '{{ accepted_type | lower }}' then '{{ accepted_type }}'
    {%- endfor %}
    end
{%- endset -%}
{%- set raw_columns = [
    'recommendation_id', 'user_id', 'recommendation_type', 'click_through_rate', 'feedback_score',
] -%}
{#- By default the source is the demo seed: tell the DAG, so seeding runs first. -#}
{%- if not var('support_files_location') %}
-- depends_on: {{ ref('support_recommendations') }}
{%- endif %}

with

raw_recommendations as (
    select
        {{ raw_columns | join(',\n        ') }}
    from {{ source('support', 'recommendations') }}
),

raw_recommendations_keyed as (
    -- identical raw rows are told apart by their copy number
    select
        *,
        {{ surrogate_key(raw_columns) }} as raw_content_key,
        {{ support_raw_values(raw_columns) }} as raw_values
    from raw_recommendations
),

raw_recommendations_numbered as (
    select
        *,
        row_number() over (
            partition by raw_content_key order by raw_content_key
        ) as raw_copy_number
    from raw_recommendations_keyed
),

typed as (
    select
        {{ surrogate_key(['raw_content_key', 'raw_copy_number']) }} as raw_row_id,
        raw_values,
        recommendation_id as recommendation_id_raw,
        user_id as user_id_raw,
        recommendation_type as recommendation_type_raw,
        click_through_rate as click_through_rate_raw,
        feedback_score as feedback_score_raw,
        nullif(trim(recommendation_id), '') as recommendation_id,
        nullif(trim(user_id), '') as user_id,
        {{ accepted_type_case }} as recommendation_type,
        {{ try_cast('trim(click_through_rate)', dbt.type_numeric()) }} as click_through_rate_number,
        {{ try_cast('trim(feedback_score)', dbt.type_numeric()) }} as feedback_score_number
    from raw_recommendations_numbered
),

validated as (
    select
        *,
        case
            {{ validation_reason_cases('recommendation_id', 'recommendation_id_raw') }}
            {{ validation_reason_cases('user_id', 'user_id_raw') }}
            {{ validation_reason_cases(
                'recommendation_type', 'recommendation_type_raw', 'recommendation_type'
            ) }}
            {{ validation_reason_cases(
                'click_through_rate', 'click_through_rate_raw', 'click_through_rate_number',
                ranges['click_through_rate']
            ) }}
            {{ validation_reason_cases(
                'feedback_score', 'feedback_score_raw', 'feedback_score_number',
                ranges['feedback_score']
            ) }}
        end as check_reason
    from typed
),

deduplicated as (
    -- among valid rows, a second row of the same recommendation is a duplicate
    select
        *,
        row_number() over (
            partition by recommendation_id, check_reason order by raw_row_id
        ) as recommendation_copy_number
    from validated
),

final as (
    select
        raw_row_id,
        raw_values,
        recommendation_id,
        user_id,
        recommendation_type,
        cast(click_through_rate_number as {{ type_double() }}) as click_through_rate,
        cast(feedback_score_number as {{ type_double() }}) as feedback_score,
        case
            when check_reason is not null then check_reason
            when recommendation_copy_number > 1 then 'duplicate_recommendation_id'
        end as invalid_reason
    from deduplicated
)

select * from final
