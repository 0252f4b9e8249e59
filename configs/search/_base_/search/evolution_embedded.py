# The search of the embedded configs: evolution (10 architectures x 3 generations), the best 3 exported. A config
# adds its scorer and `data={{_base_.scoring_data}}` from its dataset base; every candidate is scored after
# precise-BN recalibration of its path.
search = dict(
    strategy=dict(type='evolution', population_size=10, max_generations=3, top_k=5, num_mutation=5,
                  num_crossover=5, mutate_prob=0.2),
    top_n=3, seed=0)
