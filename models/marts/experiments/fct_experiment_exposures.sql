{#- Who saw which variant of a declared experiment, and whether they can be analysed.
    An exposure is an experiment_exposure event (trackers' exposure events map to it through
    the event_name_aliases seed) whose properties name the experiment and the variant (the
    first present of vars experiment_key_properties and experiment_variant_properties), in
    the experiment's period [starts_at, ends_at). A person exposed to two or more variants,
    or to a variant the declaration does not list, is kept with the reason and left out of
    the readout. -#}
{%- set key_properties = var('experiment_key_properties') -%}
{%- set variant_properties = var('experiment_variant_properties') -%}
with

events as (
    select
        event_id,
        person_id,
        session_id,
        occurred_at,
        properties
    from {{ ref('int_events_sessionized') }}
    where event_name = 'experiment_exposure'
),

declared_variants as (
    select
        experiment_key,
        variant,
        starts_at,
        ends_at
    from {{ ref('dim_experiment_variants') }}
),

declared_experiments as (
    select distinct
        experiment_key,
        starts_at,
        ends_at
    from declared_variants
),

exposure_events as (
    select
        event_id,
        person_id,
        session_id,
        occurred_at,
        {{ first_json_text('properties', key_properties) }} as experiment_key,
        {{ first_json_text('properties', variant_properties) }} as variant
    from events
),

in_period as (
    select
        exposure_events.event_id,
        exposure_events.person_id,
        exposure_events.session_id,
        exposure_events.occurred_at,
        exposure_events.experiment_key,
        exposure_events.variant,
        declared_variants.variant is not null as is_declared_variant
    from exposure_events
    inner join declared_experiments
        on
            exposure_events.experiment_key = declared_experiments.experiment_key
            and exposure_events.occurred_at >= declared_experiments.starts_at
            and exposure_events.occurred_at < declared_experiments.ends_at
    left join declared_variants
        on
            exposure_events.experiment_key = declared_variants.experiment_key
            and exposure_events.variant = declared_variants.variant
),

ranked as (
    select
        *,
        row_number() over (
            partition by experiment_key, person_id
            order by occurred_at, event_id
        ) as exposure_index
    from in_period
),

per_person as (
    select
        experiment_key,
        person_id,
        count(*) as n_exposures,
        -- a missing variant counts as one more variant
        count(distinct coalesce(variant, '')) as n_variants,
        min(variant) as any_variant,
        min(case when is_declared_variant then 1 else 0 end) = 1 as is_every_variant_declared
    from in_period
    group by experiment_key, person_id
),

final as (
    select
        {{ surrogate_key(['per_person.experiment_key', 'per_person.person_id']) }}
            as experiment_exposure_id,
        per_person.experiment_key,
        per_person.person_id,
        case when per_person.n_variants = 1 then per_person.any_variant end as variant,
        ranked.occurred_at as first_exposed_at,
        ranked.event_id as first_exposure_event_id,
        ranked.session_id as first_exposure_session_id,
        per_person.n_exposures,
        per_person.n_variants,
        case
            when per_person.n_variants > 1 then 'multiple_variants'
            when not per_person.is_every_variant_declared then 'undeclared_variant'
        end as exclusion_reason,
        per_person.n_variants = 1 and per_person.is_every_variant_declared as is_analysed
    from per_person
    inner join ranked
        on
            per_person.experiment_key = ranked.experiment_key
            and per_person.person_id = ranked.person_id
            and ranked.exposure_index = 1
)

select * from final
