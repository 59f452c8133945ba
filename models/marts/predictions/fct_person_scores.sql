{#- The scores of every person snapshot, applied in SQL from the fitted parameters
    (dim_predictive_model_parameters), so the same scores come out on every engine:
    - churn and upsell: probability = 1 / (1 + exp(platt_slope x score + platt_intercept)),
      score = intercept + sum(coefficient x model_input); a one-hot term the fit never saw
      adds nothing (as 0 in the fit);
    - segment: the nearest centroid in standardized units ((model_input - feature_mean) /
      feature_scale), ties to the lower number.
    Sums are exact (macro exact_sum), so a score does not depend on the order the engine
    adds the terms in. -#}
with

person_snapshots as (
    select
        person_feature_id,
        person_id,
        snapshot_date,
        model_sample
    from {{ ref('fct_person_features') }}
),

feature_values as (
    select
        person_feature_id,
        feature_name,
        is_segment_input,
        model_input
    from {{ ref('int_person_feature_values') }}
),

parameters as (
    select * from {{ ref('dim_predictive_model_parameters') }}
),

classifiers as (
    select
        model_name,
        model_version,
        max(case when parameter_name = 'intercept' then parameter_value end) as intercept,
        max(case when parameter_name = 'platt_slope' then parameter_value end) as platt_slope,
        max(case when parameter_name = 'platt_intercept' then parameter_value end)
            as platt_intercept
    from parameters
    where model_name in ('churn', 'upsell')
    group by
        model_name,
        model_version
),

linear_sums as (
    select
        feature_values.person_feature_id,
        parameters.model_name,
        {{ exact_sum('parameters.parameter_value * feature_values.model_input') }} as linear_sum
    from feature_values
    inner join parameters
        on
            feature_values.feature_name = parameters.feature_name
            and parameters.parameter_name = 'coefficient'
    group by
        feature_values.person_feature_id,
        parameters.model_name
),

platt_exponents as (
    select
        linear_sums.person_feature_id,
        classifiers.model_name,
        classifiers.model_version,
        classifiers.platt_slope * (classifiers.intercept + linear_sums.linear_sum)
        + classifiers.platt_intercept as platt_exponent
    from linear_sums
    inner join classifiers
        on linear_sums.model_name = classifiers.model_name
),

probabilities as (
    select
        person_feature_id,
        model_name,
        model_version,
        -- clamped where exp would overflow a double (the probability is 0 or 1 there anyway)
        1 / (1 + exp(least(greatest(platt_exponent, -700), 700))) as probability
    from platt_exponents
),

standardized as (
    select
        feature_values.person_feature_id,
        feature_values.feature_name,
        (feature_values.model_input - means.parameter_value) / scales.parameter_value
            as standardized_input
    from feature_values
    inner join parameters as means
        on
            feature_values.feature_name = means.feature_name
            and means.model_name = 'segments'
            and means.parameter_name = 'feature_mean'
    inner join parameters as scales
        on
            feature_values.feature_name = scales.feature_name
            and scales.model_name = 'segments'
            and scales.parameter_name = 'feature_scale'
    where feature_values.is_segment_input
),

distances as (
    select
        standardized.person_feature_id,
        centroids.cluster_number as segment_number,
        centroids.model_version,
        {{ exact_sum(
            '(standardized.standardized_input - centroids.parameter_value)'
            ~ ' * (standardized.standardized_input - centroids.parameter_value)'
        ) }} as squared_distance
    from standardized
    inner join parameters as centroids
        on
            standardized.feature_name = centroids.feature_name
            and centroids.model_name = 'segments'
            and centroids.parameter_name = 'centroid'
    group by
        standardized.person_feature_id,
        centroids.cluster_number,
        centroids.model_version
),

nearest as (
    select
        person_feature_id,
        segment_number,
        model_version,
        sqrt(squared_distance) as segment_distance,
        row_number() over (
            partition by person_feature_id
            order by squared_distance, segment_number
        ) as distance_rank
    from distances
),

final as (
    select
        person_snapshots.person_feature_id,
        person_snapshots.person_id,
        person_snapshots.snapshot_date,
        person_snapshots.model_sample,
        churn.probability as churn_probability,
        churn.model_version as churn_model_version,
        upsell.probability as upsell_probability,
        upsell.model_version as upsell_model_version,
        nearest.segment_number,
        nearest.segment_distance,
        nearest.model_version as segment_model_version
    from person_snapshots
    left join probabilities as churn
        on
            person_snapshots.person_feature_id = churn.person_feature_id
            and churn.model_name = 'churn'
    left join probabilities as upsell
        on
            person_snapshots.person_feature_id = upsell.person_feature_id
            and upsell.model_name = 'upsell'
    left join nearest
        on
            person_snapshots.person_feature_id = nearest.person_feature_id
            and nearest.distance_rank = 1
)

select * from final
