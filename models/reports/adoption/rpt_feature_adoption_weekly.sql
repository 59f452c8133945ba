with

person_days as (
    select
        person_id,
        activity_date
    from {{ ref('fct_person_days') }}
),

feature_uses as (
    select
        person_id,
        feature_name,
        usage_date
    from {{ ref('int_feature_uses') }}
),

feature_catalog as (
    select
        feature_name,
        launched_on
    from {{ ref('feature_catalog') }}
),

weekly_adoption as (
    {{ feature_adoption('person_days', 'feature_uses', 'feature_catalog', interval='week') }}
),

final as (
    select
        period_start,
        feature_name,
        n_active_persons,
        n_adopters,
        adoption_rate,
        n_new_adopters,
        n_cumulative_adopters,
        median_days_to_adopt,
        n_retained_adopters,
        feature_retention_rate
    from weekly_adoption
)

select * from final
