{#- The experiments of var `experiments` (macro experiment_declarations checks them), one row
    per variant: no table of the warehouse is read. -#}
{%- set declarations = experiment_declarations() -%}
{%- set text = dbt.type_string() -%}
with

variants as (
    {%- for experiment in declarations %}
        {%- for variant in experiment.variants %}
    select
        {{ text_literal(experiment.key) }} as experiment_key,
        {{ text_literal(variant.name) }} as variant,
        {{ 'true' if variant.is_control else 'false' }} as is_control,
        cast({{ variant.planned_share }} as {{ type_double() }}) as planned_share,
        cast({{ text_literal(experiment.start) }} as {{ dbt.type_timestamp() }}) as starts_at,
        cast({{ text_literal(experiment.end) }} as {{ dbt.type_timestamp() }}) as ends_at,
        {{ experiment.window_days }} as attribution_window_days,
        {{ text_literal(experiment.primary_metric) }} as primary_metric,
        {{ text_literal(experiment.guardrail_metrics | join(',')) }} as guardrail_metrics,
        {{ experiment.variants | length }} as n_variants
    {{ 'union all' if not loop.last }}
        {%- endfor %}
    {{ 'union all' if not loop.last }}
    {%- else %}
    -- no experiment declared: no row, the same columns
    select
        cast(null as {{ text }}) as experiment_key,
        cast(null as {{ text }}) as variant,
        false as is_control,
        cast(null as {{ type_double() }}) as planned_share,
        cast(null as {{ dbt.type_timestamp() }}) as starts_at,
        cast(null as {{ dbt.type_timestamp() }}) as ends_at,
        0 as attribution_window_days,
        cast(null as {{ text }}) as primary_metric,
        cast(null as {{ text }}) as guardrail_metrics,
        0 as n_variants
    where 1 = 0
    {%- endfor %}
),

final as (
    select
        {{ surrogate_key(['experiment_key', 'variant']) }} as experiment_variant_id,
        experiment_key,
        variant,
        is_control,
        planned_share,
        starts_at,
        ends_at,
        attribution_window_days,
        primary_metric,
        guardrail_metrics,
        n_variants
    from variants
)

select * from final
