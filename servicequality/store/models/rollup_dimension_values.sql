-- rollup_dimension_values: the values of every sidebar dimension (the view dimension_values).
-- Grain: dimension x value
select * from dimension_values
