{#- The engagement score of every row of a relation (one row per person): a select with the
    id column, one <component>_component column (0-1) per weighted component and
    engagement_score (0-100). See macros/_macros.yml for the arguments and why the seed
    formulas are not the default. -#}
{% macro engagement_score(
    relation,
    weights=none,
    columns=none,
    lower_is_better=none,
    normalization='min_max',
    method='weighted_sum',
    id_column='person_id'
) -%}
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
        from (
            select
                {{ id_column }},
                {%- for name in names %}
                {%- set descending = name in lower_is_better %}
                {%- if normalization == 'min_max' %}
                case
                    when {{ name }}_max > {{ name }}_min
                        {%- if descending %}
                        then ({{ name }}_max - {{ name }}_value) / ({{ name }}_max - {{ name }}_min)
                        {%- else %}
                        then ({{ name }}_value - {{ name }}_min) / ({{ name }}_max - {{ name }}_min)
                        {%- endif %}
                    else 0
                end as {{ name }}_component
                {%- else %}
                percent_rank() over (
                    order by {{ name }}_value{{ ' desc' if descending else '' }}
                ) as {{ name }}_component
                {%- endif %}
                {%- if not loop.last %},{% endif %}
                {%- endfor %}
            from (
                select
                    {{ id_column }},
                    {%- for name in names %}
                    {%- set value -%}
                        cast(coalesce({{ columns[name] }}, 0) as {{ type_double() }})
                    {%- endset %}
                    {{ value }} as {{ name }}_value,
                    min({{ value }}) over () as {{ name }}_min,
                    max({{ value }}) over () as {{ name }}_max
                    {%- if not loop.last %},{% endif %}
                    {%- endfor %}
                from {{ relation }}
            ) as engagement_score_values
        ) as engagement_score_components
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "engagement_score: method must be 'weighted_sum' or 'legacy_log_ratio', not "
            ~ method
        ) }}
    {%- endif -%}
{%- endmacro %}
