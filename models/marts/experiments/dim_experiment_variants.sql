{#- The experiments of var `experiments` (macro experiment_declarations checks them), one row
    per variant: no table of the warehouse is read. -#}
{%- set declarations = experiment_declarations() -%}
{%- set text = dbt.type_string() -%}
{%- set rows = [] -%}
{%- for experiment in declarations -%}
    {%- for variant in experiment.variants -%}
        {%- do rows.append({'experiment': experiment, 'variant': variant}) -%}
    {%- endfor -%}
{%- endfor %}
with

variants as (
    {%- if rows %}
        {%- for row in rows %}
            select
                {{ text_literal(row.experiment.key) }} as experiment_key,
                {{ text_literal(row.variant.name) }} as variant,
                {{ 'true' if row.variant.is_control else 'false' }} as is_control,
                cast({{ row.variant.planned_share }} as {{ type_double() }}) as planned_share,
                cast({{ text_literal(row.experiment.start) }} as {{ dbt.type_timestamp() }})
                    as starts_at,
                cast({{ text_literal(row.experiment.end) }} as {{ dbt.type_timestamp() }})
                    as ends_at,
                {{ row.experiment.window_days }} as attribution_window_days,
                {{ text_literal(row.experiment.primary_metric) }} as primary_metric,
                {{ text_literal(row.experiment.guardrail_metrics | join(',')) }}
                    as guardrail_metrics,
                {{ row.experiment.variants | length }} as n_variants
            {%- if not loop.last %}
                union all
            {%- endif -%}
        {%- endfor %}
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
    {%- endif %}
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
