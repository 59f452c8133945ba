{#- The audiences declared in var audience_triggers (checked by macro audience_declarations):
    their kind, condition, window and cooldown. Reads no table: the declarations are the
    data. -#}
{%- set audiences = audience_declarations() %}

with

declarations as (
    {%- if audiences %}
        {%- for audience in audiences %}
            {%- if audience.kind == 'event_count' %}
                {%- set condition = audience.min_count ~ ' or more of '
                    ~ audience.event_names | join(', ') %}
            {%- elif audience.kind == 'sequence' %}
                {%- set condition = audience.first_event
                    ~ (' not' if audience.negate else '') ~ ' followed by ' ~ audience.then_event
                    ~ ' within ' ~ audience.within_hours ~ ' hours' %}
            {%- else %}
                {%- set condition = audience.condition %}
            {%- endif %}
            select
                '{{ audience.name }}' as audience_name,
                '{{ audience.description | replace("'", "''") }}' as description,
                '{{ audience.kind }}' as trigger_kind,
                '{{ condition | replace("'", "''") }}' as trigger_condition,
                {{ audience.min_count }} as min_count,
                {{ audience.window_days }} as window_days,
                {{ audience.cooldown_days }} as cooldown_days
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as audience_name,
            cast(null as {{ dbt.type_string() }}) as description,
            cast(null as {{ dbt.type_string() }}) as trigger_kind,
            cast(null as {{ dbt.type_string() }}) as trigger_condition,
            0 as min_count,
            0 as window_days,
            0 as cooldown_days
        where 1 = 0
    {%- endif %}
),

final as (
    select
        cast(audience_name as {{ dbt.type_string() }}) as audience_name,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(trigger_kind as {{ dbt.type_string() }}) as trigger_kind,
        cast(trigger_condition as {{ dbt.type_string() }}) as trigger_condition,
        cast(min_count as {{ dbt.type_int() }}) as min_count,
        cast(window_days as {{ dbt.type_int() }}) as window_days,
        cast(cooldown_days as {{ dbt.type_int() }}) as cooldown_days
    from declarations
)

select * from final
