{#- The engagement score of every row of a relation (one row per person): a select with the
    id column, one <component>_component column (0-1) per weighted component and
    engagement_score (0-100). See macros/_macros.yml for the arguments and why the seed
    formulas are not the default. weighted_sum reads the relation once (values), normalizes
    each feature (components) and weighs them (final); its CTEs are prefixed
    engagement_score_ so the query nests inside a caller's CTE on every engine. -#}
{% macro engagement_score(
    relation,
    weights=none,
    columns=none,
    lower_is_better=none,
    normalization='min_max',
    method='weighted_sum',
    id_column='person_id',
    partition_by=none
) -%}
    {%- set over = '(partition by ' ~ partition_by ~ ')' if partition_by else '()' -%}
    {%- set weights = weights if weights is not none else var('engagement_score_weights') -%}
    {%- set columns = columns if columns is not none else {
        'sessions': 'n_sessions',
        'active_days': 'n_active_days',
        'engaged_session_rate': 'engaged_session_rate',
        'conversions': 'n_conversions',
        'feature_breadth': 'n_features_used',
        'recency': 'days_since_last_seen',
    } -%}
    {%- set lower_is_better = lower_is_better if lower_is_better is not none else ['recency'] -%}
    {%- if method == 'legacy_log_ratio' -%}
        {%- set sessions = 'cast(' ~ columns['sessions'] ~ ' as ' ~ type_double() ~ ')' -%}
        {%- set conversions = 'coalesce(' ~ columns['conversions'] ~ ', 0)' -%}
        {%- if 'bounce_rate' in columns -%}
            {%- set bounce_rate = columns['bounce_rate'] -%}
        {%- else -%}
            {%- set bounce_rate = '(1 - ' ~ columns['engaged_session_rate'] ~ ')' -%}
        {%- endif -%}
select
    {{ id_column }},
    case
        when {{ sessions }} > 0 and {{ bounce_rate }} > 0
            then ln({{ sessions }}) * sqrt({{ conversions }}) / {{ bounce_rate }}
    end as engagement_score
from {{ relation }}
    {%- elif method == 'weighted_sum' -%}
        {%- if normalization not in ['min_max', 'percentile_rank'] -%}
            {{ exceptions.raise_compiler_error(
                "engagement_score: normalization must be 'min_max' or 'percentile_rank', not "
                ~ normalization
            ) }}
        {%- endif -%}
        {%- set names = weights.keys() | list | sort -%}
        {%- if names | length == 0 -%}
            {{ exceptions.raise_compiler_error("engagement_score: no weights given") }}
        {%- endif -%}
        {%- set total = namespace(weight=0.0) -%}
        {%- for name in names -%}
            {%- if name not in columns -%}
                {{ exceptions.raise_compiler_error(
                    "engagement_score: no column for the weight " ~ name
                ) }}
            {%- endif -%}
            {%- if (weights[name] | float) < 0 -%}
                {{ exceptions.raise_compiler_error(
                    "engagement_score: the weight of " ~ name ~ " is negative"
                ) }}
            {%- endif -%}
            {%- set total.weight = total.weight + (weights[name] | float) -%}
        {%- endfor -%}
        {%- if total.weight <= 0 -%}
            {{ exceptions.raise_compiler_error("engagement_score: the weights add up to 0") }}
        {%- endif -%}
with

engagement_score_values as (
    select
        {{ id_column }},
        {%- if partition_by %}
        {{ partition_by }},
        {%- endif %}
        {%- for name in names %}
        cast(coalesce({{ columns[name] }}, 0) as {{ type_double() }}) as {{ name }}_value
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
),
{%- if normalization == 'min_max' %}

-- each feature's range over the whole relation (or its partition)
engagement_score_ranges as (
    select
        {{ id_column }},
        {%- for name in names %}
        {{ name }}_value,
        min({{ name }}_value) over {{ over }} as {{ name }}_min,
        max({{ name }}_value) over {{ over }} as {{ name }}_max
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from engagement_score_values
),

-- (x - min) / (max - min), reversed for lower_is_better; 0 for a constant feature
engagement_score_components as (
    select
        {{ id_column }},
        {%- for name in names %}
        case
            when {{ name }}_max > {{ name }}_min
                {%- if name in lower_is_better %}
                then ({{ name }}_max - {{ name }}_value) / ({{ name }}_max - {{ name }}_min)
                {%- else %}
                then ({{ name }}_value - {{ name }}_min) / ({{ name }}_max - {{ name }}_min)
                {%- endif %}
            else 0
        end as {{ name }}_component
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from engagement_score_ranges
),
{%- else %}

-- percentile rank, descending for lower_is_better; ties share the lowest rank
engagement_score_components as (
    select
        {{ id_column }},
        {%- for name in names %}
        percent_rank() over (
            {%- if partition_by %}
            partition by {{ partition_by }}
            {%- endif %}
            order by {{ name }}_value{{ ' desc' if name in lower_is_better else '' }}
        ) as {{ name }}_component
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from engagement_score_values
),
{%- endif %}

engagement_score_final as (
    select
        {{ id_column }},
        {%- for name in names %}
        {{ name }}_component,
        {%- endfor %}
        -- the clamp only removes floating-point rounding: each component is within [0, 1]
        least(greatest(
            (
                {%- for name in names %}
                {{ weights[name] | float }} * {{ name }}_component
                {%- if not loop.last %} +{% endif %}
                {%- endfor %}
            ) / {{ total.weight }} * 100,
            0
        ), 100) as engagement_score
    from engagement_score_components
)

select * from engagement_score_final
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "engagement_score: method must be 'weighted_sum' or 'legacy_log_ratio', not "
            ~ method
        ) }}
    {%- endif -%}
{%- endmacro %}
