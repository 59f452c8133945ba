{#- What each learned segment is, in the units of fct_person_features: for every segment
    feature, the centroid back-transformed from standardized model inputs
    (exp(feature_mean + centroid x feature_scale) - 1) and the members' average, with the
    segment's size at the latest snapshot. -#}
with

parameters as (
    select * from {{ ref('dim_predictive_model_parameters') }}
    where model_name = 'segments'
),

members as (
    select
        person_feature_id,
        segment_number
    from {{ ref('fct_person_scores') }}
    where model_sample = 'scoring'
),

member_values as (
    select
        members.segment_number,
        feature_values.feature_name,
        feature_values.model_input
    from {{ ref('int_person_feature_values') }} as feature_values
    inner join members
        on feature_values.person_feature_id = members.person_feature_id
    where feature_values.is_segment_input
),

sizes as (
    select
        segment_number,
        count(*) as n_persons,
        {{ safe_divide('count(*)', 'sum(count(*)) over ()') }} as person_share
    from members
    group by segment_number
),

member_averages as (
    select
        segment_number,
        feature_name,
        {{ exact_avg('exp(model_input) - 1') }} as member_average
    from member_values
    group by
        segment_number,
        feature_name
),

centroids as (
    select
        centroids.model_version,
        centroids.cluster_number as segment_number,
        centroids.feature_name,
        exp(means.parameter_value + centroids.parameter_value * scales.parameter_value) - 1
            as centroid_value
    from parameters as centroids
    inner join parameters as means
        on
            centroids.feature_name = means.feature_name
            and means.parameter_name = 'feature_mean'
    inner join parameters as scales
        on
            centroids.feature_name = scales.feature_name
            and scales.parameter_name = 'feature_scale'
    where centroids.parameter_name = 'centroid'
),

final as (
    select
        {{ surrogate_key(['centroids.segment_number', 'centroids.feature_name']) }}
            as segment_profile_id,
        centroids.model_version,
        centroids.segment_number,
        coalesce(sizes.n_persons, 0) as n_persons,
        coalesce(sizes.person_share, 0) as person_share,
        centroids.feature_name,
        centroids.centroid_value,
        member_averages.member_average
    from centroids
    left join sizes
        on centroids.segment_number = sizes.segment_number
    left join member_averages
        on
            centroids.segment_number = member_averages.segment_number
            and centroids.feature_name = member_averages.feature_name
)

select * from final
