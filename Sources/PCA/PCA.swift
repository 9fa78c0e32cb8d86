// PCA: see the module's main type (work in progress).
